using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Anthropic;

/// <summary>
/// The decoder's byte-comparing fast path for deltas in the API's compact layout must give
/// exactly what the general <c>Utf8JsonReader</c> path gives, or decline. The general path is
/// forced by a space after the opening brace, which the fast path never accepts and which
/// leaves every view's bytes (the delta object, the text) unchanged.
/// </summary>
public class CanonicalDeltaTests
{
    private static readonly string[] Indices = ["0", "7", "42", "123456789", "01", "00", "1234567890", "2147483648", "-1", "", "1.0", "1e2", " 1"];

    private static readonly string[] Kinds =
    [
        "\"text_delta\",\"text\":\"", "\"input_json_delta\",\"partial_json\":\"", "\"thinking_delta\",\"thinking\":\"",
        "\"signature_delta\",\"signature\":\"", "\"text_delta\",\"thinking\":\"", "\"text_delta\", \"text\":\"", "\"future_delta\",\"text\":\"",
    ];

    // Fragments of a string's content: plain, escaped, and everything the reader rejects or the scan must stop at.
    private static readonly byte[][] Pieces =
    [
        "Hello"u8.ToArray(), " world"u8.ToArray(), "\\n"u8.ToArray(), "\\\""u8.ToArray(), "\\\\"u8.ToArray(), "\\/"u8.ToArray(),
        "\\b\\f\\r\\t"u8.ToArray(), "\\u00e9"u8.ToArray(), "\\uD83D\\uDE00"u8.ToArray(), "\\ud800"u8.ToArray(), "\\u12G4"u8.ToArray(),
        "\\u12"u8.ToArray(), "\\u123x"u8.ToArray(), "\\x"u8.ToArray(), "\\"u8.ToArray(), "\""u8.ToArray(), "\"}}"u8.ToArray(), "}}"u8.ToArray(),
        "café 日本 😀"u8.ToArray(), [0x01], [0x1F], [0x7F], [0xFF], [0xC3], [0x09], "{\\\"k\\\": [1, 2]}"u8.ToArray(),
    ];

    private static readonly string[] Tails = ["}}", "} }", "}}x", "}", "", "}} ", ",\"x\":1}}", "}]"];

    private static Gen<byte[]> Data() =>
        from index in Gen.Elements(Indices)
        from kind in Gen.Elements(Kinds)
        from pieces in Gen.ListOf(Gen.Elements(Pieces))
        from tail in Gen.Frequency((6, Gen.Constant("}}")), (1, Gen.Elements(Tails)))
        from closeQuote in Gen.Frequency((9, Gen.Constant(true)), (1, Gen.Constant(false)))
        select Build(index, kind, pieces.SelectMany(p => p).ToArray(), tail, closeQuote);

    private static byte[] Build(string index, string kind, byte[] content, string tail, bool closeQuote = true) =>
    [
        .. Encoding.UTF8.GetBytes("{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":{\"type\":" + kind),
        .. content,
        .. (closeQuote ? "\""u8.ToArray() : []),
        .. Encoding.UTF8.GetBytes(tail),
    ];

    /// <summary>What a decode gave, in bytes that can be compared: the views, or the exception's type and message.</summary>
    private static string Outcome(byte[] data)
    {
        byte[] stream = [.. "event: content_block_delta\ndata: "u8, .. data, .. "\n\n"u8];
        using var state = new SseParserState();
        var tokenizer = new SseTokenizer(stream.AsSpan(), true, state);
        Assert.True(tokenizer.TryRead(out SseEvent sse));
        var decoder = new AnthropicEventDecoder();
        AnthropicEvent e = default;
        try
        {
            decoder.Decode(sse, ref e);
        }
        catch (AnthropicProtocolException ex)
        {
            return "throws " + ex.Message[(ex.Message.IndexOf(':') + 1)..];
        }

        ref readonly DeltaView d = ref e.Delta;
        return string.Join(
            " | ",
            e.Kind,
            e.Index,
            d.Index,
            d.Kind,
            EventText.Text(d.TypeName),
            EventText.Text(d.Text),
            EventText.Text(d.PartialJson),
            EventText.Text(d.Thinking),
            EventText.Text(d.Signature),
            Convert.ToHexString(d.RawJson),
            Convert.ToHexString(decoder.Unescape(d.Payload)));
    }

    /// <summary>The general path's input: one space after the opening brace (the fast path declines it; the views' bytes stay the same).</summary>
    private static byte[] Spaced(byte[] data) => [(byte)'{', (byte)' ', .. data.AsSpan(1)];

    /// <summary>
    /// Decodes <paramref name="data"/> by both paths and asserts that they agree; true when both
    /// succeeded. Error messages carry positions, which the extra space shifts: for errors only the
    /// outcome is compared.
    /// </summary>
    private static bool AssertPathsAgree(byte[] data, string what)
    {
        string fast = Outcome(data);
        string general = Outcome(Spaced(data));
        bool fastThrew = fast.StartsWith("throws", StringComparison.Ordinal);
        bool generalThrew = general.StartsWith("throws", StringComparison.Ordinal);
        if (fastThrew || generalThrew)
        {
            Assert.True(fastThrew && generalThrew, $"{what}\nfast: {fast}\ngeneral: {general}");
            return false;
        }

        if (general != fast)
        {
            Assert.Fail($"{what}\nfast:    {fast}\ngeneral: {general}");
        }

        return true;
    }

    [Property(MaxTest = 2000)]
    public Property FastPathAndGeneralPath_GiveTheSameResult() =>
        Prop.ForAll(Data().ToArbitrary(), data => { AssertPathsAgree(data, Convert.ToHexString(data)); });

    [Fact]
    public void EachPiece_AtEveryOffsetAroundTheBlockEdges_FastPathAndGeneralPathAgree()
    {
        // The scan keeps the stop mask of a 32-byte block across the escapes in it: every piece,
        // alone and twice, at every offset of the value from 0 to 80, before 0 to 40 more bytes.
        foreach (byte[] piece in Pieces)
        {
            for (int before = 0; before <= 80; before++)
            {
                foreach (int after in new[] { 0, 1, 5, 31, 32, 33, 40 })
                {
                    foreach (int count in new[] { 1, 2 })
                    {
                        AssertSameOutcome([.. Enumerable.Repeat((byte)'a', before), .. Enumerable.Range(0, count).SelectMany(_ => piece), .. Enumerable.Repeat((byte)'z', after)]);
                    }
                }
            }
        }
    }

    [Fact]
    public void BackslashRunsOfEveryLength_AtEveryOffset_FastPathAndGeneralPathAgree()
    {
        // Which byte a backslash escapes depends on the length of its run and on where the run
        // starts in a 32-byte block, and a run may end a block: runs of 1 to 6 backslashes before
        // an escape character (or a quote, or an invalid one) at every offset from 0 to 80.
        string[] afterRun = ["n", "\"", "u0041", "x", "\\n"];
        for (int run = 1; run <= 6; run++)
        {
            foreach (string next in afterRun)
            {
                for (int before = 0; before <= 80; before++)
                {
                    foreach (int after in new[] { 0, 1, 30, 31, 32, 33 })
                    {
                        byte[] content = [.. Enumerable.Repeat((byte)'a', before), .. Enumerable.Repeat((byte)'\\', run), .. Encoding.ASCII.GetBytes(next), .. Enumerable.Repeat((byte)'z', after)];
                        AssertSameOutcome(content);
                    }
                }
            }
        }
    }

    private static void AssertSameOutcome(byte[] content)
    {
        byte[] data = Build("3", "\"text_delta\",\"text\":\"", content, "}}");
        if (AssertPathsAgree(data, $"<{Encoding.UTF8.GetString(content)}>"))
        {
            // What the reader accepts in the API's layout, the fast path takes itself.
            AnthropicEvent e = default;
            Assert.True(CanonicalDelta.TryDecode(data, ref e), $"declined <{Encoding.UTF8.GetString(content)}>");
        }
    }

    [Theory]
    [InlineData("\"text_delta\",\"text\":\"", "Hello, world", false)]
    [InlineData("\"text_delta\",\"text\":\"", "caf\\u00e9 \\\"quoted\\\"\\n", true)]
    [InlineData("\"text_delta\",\"text\":\"", "", false)]
    [InlineData("\"input_json_delta\",\"partial_json\":\"", "{\\\"location\\\": \\\"San Fra", true)]
    [InlineData("\"thinking_delta\",\"thinking\":\"", "Let me think", false)]
    public void FastPath_TakesTheApisLayout(string kind, string content, bool escaped)
    {
        byte[] data = Build("12", kind, Encoding.UTF8.GetBytes(content), "}}");
        AnthropicEvent e = default;
        Assert.True(CanonicalDelta.TryDecode(data, ref e));
        Assert.Equal(12, e.Index);
        Assert.Equal(12, e.Delta.Index);
        Assert.Equal(content, Encoding.UTF8.GetString(e.Delta.Payload.RawUtf8));
        Assert.Equal(escaped, e.Delta.Payload.IsEscaped);
        Assert.Equal(Outcome(Spaced(data)), Outcome(data));
    }

    [Theory]
    [InlineData("01", "ok", "}}")] // leading zero: the reader rejects it
    [InlineData("1234567890", "ok", "}}")] // ten digits: left to the reader's range check
    [InlineData("1", "a\u0001b", "}}")] // raw control character
    [InlineData("1", "a\\qb", "}}")] // invalid escape
    [InlineData("1", "a\\u12Gb", "}}")] // invalid \u escape
    [InlineData("1", "ok", "} }")] // whitespace
    [InlineData("1", "ok", "}}x")] // trailing bytes
    [InlineData("1", "ok", ",\"x\":1}}")] // more properties
    public void FastPath_DeclinesWhatItDoesNotVouchFor(string index, string content, string tail)
    {
        byte[] data = Build(index, "\"text_delta\",\"text\":\"", Encoding.UTF8.GetBytes(content), tail);
        AnthropicEvent e = default;
        Assert.False(CanonicalDelta.TryDecode(data, ref e));
        Assert.Equal(AnthropicEventKind.Unknown, e.Kind);
    }

    [Fact]
    public void OneEventReusedAcrossKinds_HoldsOnlyTheLastEventsView()
    {
        // Decode(sse, ref e) clears only the view the previous decode filled: every other view must be empty anyway.
        byte[] stream = Encoding.UTF8.GetBytes(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\",\"role\":\"assistant\",\"usage\":{\"input_tokens\":1}}}\n\n" +
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}\n\n" +
            "event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"},\"type\":\"content_block_delta\"}\n\n" +
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"o\"}}\n\n" +
            "event: future\ndata: {}\n\n" +
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n");
        using var state = new SseParserState();
        var tokenizer = new SseTokenizer(stream.AsSpan(), true, state);
        var decoder = new AnthropicEventDecoder();
        AnthropicEvent reused = default;
        int n = 0;
        while (tokenizer.TryRead(out SseEvent sse))
        {
            decoder.Decode(sse, ref reused);
            AnthropicEvent fresh = decoder.Decode(sse);
            Assert.Equal(EventText.Describe(fresh), EventText.Describe(reused));
            n++;
        }

        Assert.Equal(6, n);
    }
}
