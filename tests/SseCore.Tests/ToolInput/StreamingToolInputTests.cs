using System.Text;
using System.Text.Json;
using SseCore.Anthropic;

namespace SseCore.Tests.ToolInput;

/// <summary>The documented choices of the streaming view, one example each.</summary>
public class StreamingToolInputTests
{
    private static StreamingToolInput Feed(params string[] deltas)
    {
        var input = new StreamingToolInput();
        foreach (string d in deltas)
        {
            input.Append(Encoding.UTF8.GetBytes(d));
        }

        return input;
    }

    private static string SnapshotOf(params string[] deltas)
    {
        using StreamingToolInput input = Feed(deltas);
        string snapshot = JsonInputs.Snapshot(input);
        JsonDocument.Parse(snapshot).Dispose();
        return snapshot;
    }

    [Theory]
    [InlineData("", "{}")]
    [InlineData("  ", "{}")]
    [InlineData("{", "{}")]
    [InlineData("{\"ke", "{}")]                                      // an unfinished name: the member is left out
    [InlineData("{\"a\"", "{}")]                                     // a name without its value
    [InlineData("{\"a\":", "{}")]
    [InlineData("{\"a\": ", "{}")]
    [InlineData("{\"a\": 12", "{}")]                                 // 12 may become 123
    [InlineData("{\"a\": 12,", "{\"a\": 12}")]                      // now it is whole
    [InlineData("{\"a\": 12 ", "{\"a\": 12}")]
    [InlineData("{\"a\": -", "{}")]
    [InlineData("{\"a\": 1.", "{}")]
    [InlineData("{\"a\": 1e", "{}")]
    [InlineData("{\"a\": tr", "{}")]
    [InlineData("{\"a\": true", "{\"a\": true}")]                   // a literal is whole at its last letter
    [InlineData("{\"a\": null, \"b\": fals", "{\"a\": null}")]
    [InlineData("{\"a\": \"he", "{\"a\": \"he\"}")]                 // an open string keeps its text so far
    [InlineData("{\"a\": \"", "{\"a\": \"\"}")]
    [InlineData("{\"a\": \"x\\", "{\"a\": \"x\"}")]                 // half an escape is left out
    [InlineData("{\"a\": \"x\\u00", "{\"a\": \"x\"}")]
    [InlineData("{\"a\": \"x\\u00e9", "{\"a\": \"x\\u00e9\"}")]
    [InlineData("{\"a\": \"x\\ud83d", "{\"a\": \"x\"}")]            // a high surrogate waits for its pair
    [InlineData("{\"a\": \"x\\ud83d\\ude00", "{\"a\": \"x\\ud83d\\ude00\"}")]
    [InlineData("{\"a\": [", "{\"a\": []}")]
    [InlineData("{\"a\": [1, 2", "{\"a\": [1]}")]
    [InlineData("{\"a\": [1, {\"b\": tr", "{\"a\": [1, {}]}")]
    [InlineData("{\"a\": [\"x\", \"y", "{\"a\": [\"x\", \"y\"]}")]
    [InlineData("{\"a\": {\"b\": {\"c\": \"deep", "{\"a\": {\"b\": {\"c\": \"deep\"}}}")]
    [InlineData("{\"a\": 1}", "{\"a\": 1}")]
    [InlineData("{\"a\": 1} \n", "{\"a\": 1} \n")]
    [InlineData("[", "[]")]
    [InlineData("\"ro", "\"ro\"")]
    [InlineData("12", "{}")]                                         // a root number is not whole until the end
    public void Snapshot_ClosesWhatIsUnfinished(string text, string snapshot) => Assert.Equal(snapshot, SnapshotOf(text));

    [Fact]
    public void Snapshot_LeavesOutAUtf8SequenceCutInTheMiddle()
    {
        byte[] euro = "{\"a\": \"x€"u8.ToArray();
        using var input = new StreamingToolInput();
        input.Append(euro.AsSpan(0, euro.Length - 1));
        Assert.Equal("{\"a\": \"x\"}", JsonInputs.Snapshot(input));
        input.Append(euro.AsSpan(euro.Length - 1));
        Assert.Equal("{\"a\": \"x€\"}", JsonInputs.Snapshot(input));
        Assert.Equal("x€", Encoding.UTF8.GetString(input.CurrentText));
    }

    [Fact]
    public void Progress_PropertiesComplete_WhenADelimiterShowsTheyAre()
    {
        using var input = new StreamingToolInput();
        input.Append("{\"path\": \"a.txt\", \"n\": 1"u8);
        Assert.Equal(1, input.PropertyCount);
        Assert.True(input.GetProperty(0).Name.ValueEquals("path"u8));
        Assert.Equal("\"a.txt\"", Encoding.UTF8.GetString(input.GetProperty(0).ValueJson));
        Assert.Equal(JsonValueKind.String, input.GetProperty(0).ValueKind);

        Assert.True(input.HasCurrentProperty);
        Assert.True(input.CurrentProperty.Name.ValueEquals("n"u8));
        Assert.Equal(JsonValueKind.Number, input.CurrentProperty.ValueKind);
        Assert.Equal("1", Encoding.UTF8.GetString(input.CurrentProperty.ValueJson));

        input.Append("2, \"body\": \"line 1\\nli"u8);
        Assert.Equal(2, input.PropertyCount);
        Assert.Equal("12", Encoding.UTF8.GetString(input.GetProperty(1).ValueJson));
        Assert.True(input.CurrentProperty.Name.ValueEquals("body"u8));
        Assert.Equal("line 1\nli", Encoding.UTF8.GetString(input.CurrentText));

        input.Append("ne 2\\u00e9\", \"more\": [1, {\"x\": \"not tracked\""u8);
        Assert.Equal(3, input.PropertyCount);
        Assert.Equal("line 1\nline 2\u00e9", input.GetProperty(2).Name.ValueEquals("body"u8) ? JsonSerializer.Deserialize<string>(input.GetProperty(2).ValueJson) : null);
        Assert.Equal(JsonValueKind.Array, input.CurrentProperty.ValueKind);
        Assert.True(input.CurrentText.IsEmpty);                     // text so far is for top-level string values

        input.Append("}]}"u8);
        Assert.Equal(4, input.PropertyCount);
        Assert.False(input.HasCurrentProperty);
        Assert.Equal(ToolInputStatus.Complete, input.Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => input.GetProperty(4));
    }

    [Fact]
    public void Progress_NameBeforeItsValue_IsTheCurrentPropertyWithAnEmptyValue()
    {
        using StreamingToolInput input = Feed("{\"a\\u00e9\" :");
        Assert.True(input.HasCurrentProperty);
        Assert.True(input.CurrentProperty.Name.IsEscaped);
        Assert.Equal("a\u00e9", input.CurrentProperty.Name.GetString());
        Assert.Equal(JsonValueKind.Undefined, input.CurrentProperty.ValueKind);
        Assert.True(input.CurrentProperty.ValueJson.IsEmpty);
    }

    [Fact]
    public void Progress_EscapedPartialJson_IsUnescapedOnAppend()
    {
        using var input = new StreamingToolInput();
        byte[] wire = "{\\\"a\\\": \\\"x\\\\n"u8.ToArray();         // partial_json as on the wire: {"a": "x\n
        input.Append(new JsonText(wire, isEscaped: true));
        Assert.Equal("{\"a\": \"x\\n", Encoding.UTF8.GetString(input.Utf8Json));
        Assert.Equal("x\n", Encoding.UTF8.GetString(input.CurrentText));
    }

    [Theory]
    [InlineData("{\"a\" 1}", 5)]
    [InlineData("{\"a\": 01}", 7)]
    [InlineData("{\"a\": 1,}", 8)]
    [InlineData("{\"a\": 1} x", 9)]
    [InlineData("{\"a\": 1}}", 8)]
    [InlineData("{\"a\": [1}", 8)]
    [InlineData("{/* c */}", 1)]
    [InlineData("{'a': 1}", 1)]
    [InlineData("{\"a\": \"\u0001\"}", 7)]
    [InlineData("{\"a\": \"\\x\"}", 8)]
    [InlineData("{\"a\": \"\\u12g4\"}", 11)]
    [InlineData("{\"a\": nul1}", 9)]
    [InlineData("{\"a\": +1}", 6)]
    [InlineData("{\"a\": .5}", 6)]
    [InlineData("{\"a\": 1.e5}", 8)]
    [InlineData("{\"a\": 1e+}", 9)]
    [InlineData("{\"a\": -x}", 7)]
    public void Malformed_IsFlagged_WithItsOffset_TextKept_SnapshotOfTheValidPart(string text, int offset)
    {
        using StreamingToolInput input = Feed(text, " more");
        Assert.Equal(ToolInputStatus.Malformed, input.Status);
        Assert.Equal(offset, input.ErrorOffset);
        Assert.Equal(text + " more", Encoding.UTF8.GetString(input.Utf8Json));
        JsonDocument.Parse(JsonInputs.Snapshot(input)).Dispose();
        StreamingToolInputPropertyTests.AssertVerdictMatchesJsonDocument(Encoding.UTF8.GetBytes(text), Feed(text));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}' })]   // invalid UTF-8 in a string
    [InlineData(new byte[] { (byte)'"', 0xC3, (byte)'"' })]                                                                             // a cut sequence
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}' })]                                                                 // a BOM
    public void EdgeBytes_VerdictIsTheReaders(byte[] text)
    {
        using var input = new StreamingToolInput();
        input.Append(text);
        StreamingToolInputPropertyTests.AssertVerdictMatchesJsonDocument(text, input);
        JsonDocument.Parse(JsonInputs.Snapshot(input)).Dispose();
    }

    [Fact]
    public void LoneSurrogateEscape_VerdictIsTheReaders()
    {
        byte[] text = "{\"a\": \"\\ud800x\", \"b\": \"\\udc00\"}"u8.ToArray();
        using var input = new StreamingToolInput();
        input.Append(text);
        StreamingToolInputPropertyTests.AssertVerdictMatchesJsonDocument(text, input);
    }

    [Theory]
    [InlineData(255, ToolInputStatus.Partial)]
    [InlineData(256, ToolInputStatus.Partial)]
    [InlineData(257, ToolInputStatus.TooDeep)]
    public void Depth_UpToTheLimit_ThenTooDeep(int depth, ToolInputStatus status)
    {
        string open = new('[', depth);
        using StreamingToolInput input = Feed(open);
        Assert.Equal(status, input.Status);
        string snapshot = JsonInputs.Snapshot(input);
        JsonDocument.Parse(snapshot, new JsonDocumentOptions { MaxDepth = StreamingToolInput.MaxDepth }).Dispose();
        if (status == ToolInputStatus.TooDeep)
        {
            Assert.Equal(256, input.ErrorOffset);
        }
        else
        {
            input.Append(Encoding.ASCII.GetBytes(new string(']', depth)));
            Assert.Equal(ToolInputStatus.Complete, input.Status);
        }

        StreamingToolInputPropertyTests.AssertVerdictMatchesJsonDocument(Encoding.ASCII.GetBytes(open + new string(']', depth)), Feed(open + new string(']', depth)));
    }

    [Fact]
    public void HugeNesting_NoRecursion_StateStaysBounded()
    {
        // A fuzzer's favourite: a megabyte of '[' and '{"a":' must neither overflow the stack nor grow state.
        var sb = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            sb.Append(i % 2 == 0 ? "[" : "{\"a\":");
        }

        using StreamingToolInput input = Feed(sb.ToString());
        Assert.Equal(ToolInputStatus.TooDeep, input.Status);
        Assert.True(input.SnapshotLength < 2000);
    }

    [Fact]
    public void Clear_StartsOver_Dispose_RefusesAppends()
    {
        var input = Feed("{\"a\": [1, \"x");
        input.Clear();
        Assert.Equal(ToolInputStatus.Partial, input.Status);
        Assert.Equal(0, input.PropertyCount);
        input.Append("{\"b\": 2}"u8);
        Assert.Equal(ToolInputStatus.Complete, input.Status);
        Assert.True(input.GetProperty(0).Name.ValueEquals("b"u8));
        input.Dispose();
        input.Dispose();
        Assert.True(input.Utf8Json.IsEmpty);
        Assert.Throws<ObjectDisposedException>(() => input.Append("{"u8));
    }

    [Fact]
    public void WriteSnapshot_RefusesAShortDestination()
    {
        using StreamingToolInput input = Feed("{\"a\": \"x");
        Assert.Throws<ArgumentException>(() => input.WriteSnapshot(new byte[input.SnapshotLength - 1]));
        Assert.Equal("x", input.GetSnapshot().GetProperty("a").GetString());
    }
}
