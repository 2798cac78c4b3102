using System.Text;
using System.Text.Json;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.ToolInput;

/// <summary>Tool input through the decoder and the accumulator: live while it streams, settled in the final message.</summary>
public class AccumulatorToolInputTests
{
    private const string TruncatedSnapshot = """{"filename":"taxes.txt","lines_of_text":["# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS WITH MULTIPLE W-2s","","## INTRODUCTION","","Filing taxes"]}""";

    [Fact]
    public void MaxTokensFixture_EndsWithTheSnapshot_FlaggedTruncated_RawKept()
    {
        byte[] input = Fixtures.Read("max_tokens_tool_use_truncated.sse");
        for (int cut = 0; cut <= input.Length; cut += 7)
        {
            Message m = AnthropicHarness.Accumulate(SseHarness.CutAt(input, [cut])).Message;
            var tool = Assert.IsType<ToolUseBlock>(m.Content[1]);
            Assert.False(tool.IsComplete);
            Assert.True(tool.IsInputTruncated);
            Assert.Equal(ToolInputStatus.Partial, tool.InputStatus);
            Assert.Null(tool.Input);
            Assert.False(tool.InputIsValid);
            Assert.StartsWith("{\"filename\": \"taxes.txt\", \"lines_of_text\": [\n", tool.InputJson, StringComparison.Ordinal);
            Assert.EndsWith("\n\"Filing taxes", tool.InputJson, StringComparison.Ordinal);
            RefEqual(TruncatedSnapshot, tool.InputSnapshot!.Value);

            using JsonDocument json = JsonDocument.Parse(m.ToJson());
            JsonElement block = json.RootElement.GetProperty("content")[1];
            RefEqual(TruncatedSnapshot, block.GetProperty("input"));
            Assert.True(block.GetProperty("truncated").GetBoolean());
            Assert.Equal(tool.InputJson, block.GetProperty("partial_input_json").GetString());
        }
    }

    [Theory]
    [InlineData("tool_use.sse", 1)]
    [InlineData("tool_use_recorded.sse", 1)]
    [InlineData("interleaved_blocks.sse", 2)]
    [InlineData("web_search_server_tool_use.sse", 1)]
    public void WholeInput_IsParsedAsBefore_SnapshotIsTheInput_NoMarker(string fixture, int index)
    {
        Message m = AnthropicHarness.Accumulate(Fixtures.Read(fixture));
        var tool = Assert.IsType<ToolUseBlock>(m.Content[index]);
        Assert.Equal(ToolInputStatus.Complete, tool.InputStatus);
        Assert.False(tool.IsInputTruncated);
        Assert.True(JsonElement.DeepEquals(tool.Input!.Value, tool.InputSnapshot!.Value));
        using JsonDocument parsed = JsonDocument.Parse(tool.InputJson);
        Assert.True(JsonElement.DeepEquals(parsed.RootElement, tool.Input.Value));
        using JsonDocument json = JsonDocument.Parse(m.ToJson());
        Assert.False(json.RootElement.GetProperty("content")[index].TryGetProperty("truncated", out _));
    }

    [Fact]
    public void WhileItStreams_TheLiveInput_GrowsByPrefixes_ToTheFinalInput()
    {
        using var state = new SseParserState();
        var decoder = new AnthropicEventDecoder();
        using var accumulator = new MessageAccumulator();
        byte[] bytes = Fixtures.Read("tool_use.sse");
        var tokenizer = new SseTokenizer(bytes.AsSpan(), true, state);
        var seen = new List<string>();
        int deltas = 0;
        while (tokenizer.TryRead(out SseEvent sse))
        {
            AnthropicEvent e = decoder.Decode(sse);
            accumulator.Apply(in e);
            if (e.Kind == AnthropicEventKind.ContentBlockDelta && e.Delta.Kind == DeltaKind.InputJson)
            {
                deltas++;
                StreamingToolInput live = accumulator.GetToolInput(e.Delta.Index)!;
                for (int i = seen.Count; i < live.PropertyCount; i++)
                {
                    seen.Add(live.GetProperty(i).Name.GetString()!);
                }

                using JsonDocument final = JsonDocument.Parse("""{"location": "San Francisco, CA", "unit": "fahrenheit"}""");
                using JsonDocument snapshot = JsonDocument.Parse(JsonInputs.Snapshot(live));
                Assert.True(JsonInputs.IsPrefix(snapshot.RootElement, final.RootElement, out string why), why);
                Assert.Throws<InvalidOperationException>(() => live.Append("x"u8));
            }
        }

        Assert.True(deltas > 3);
        Assert.Equal(["location", "unit"], seen);
        Assert.Null(accumulator.GetToolInput(0));                    // a text block
        Assert.Null(accumulator.GetToolInput(99));
        Assert.Equal(ToolInputStatus.Complete, accumulator.GetToolInput(1)!.Status);
    }

    [Theory]
    [InlineData("{\\\"a\\\": 1}}", ToolInputStatus.Malformed)]
    [InlineData("{\\\"a\\\": tru", ToolInputStatus.Partial)]
    [InlineData("not json", ToolInputStatus.Malformed)]
    [InlineData("", ToolInputStatus.Complete)]
    [InlineData(" 42 ", ToolInputStatus.Complete)]
    [InlineData("42", ToolInputStatus.Complete)]
    [InlineData(" \\r\\n\\t ", ToolInputStatus.Complete)]
    [InlineData("{\\\"a\\\": [1, 2]} x", ToolInputStatus.Malformed)]
    public void StoppedBlock_StatusOfItsInput_NeverThrows(string partialJson, ToolInputStatus status)
    {
        Message m = AnthropicHarness.Accumulate(Encoding.UTF8.GetBytes(ToolStream([partialJson], stop: true)));
        var tool = Assert.IsType<ToolUseBlock>(m.Content[0]);
        Assert.Equal(status, tool.InputStatus);
        Assert.Equal(status == ToolInputStatus.Complete, tool.InputIsValid);
        Assert.Equal(status == ToolInputStatus.Malformed, tool.InputSnapshot is null);
        using JsonDocument json = JsonDocument.Parse(m.ToJson());
        JsonElement block = json.RootElement.GetProperty("content")[0];
        Assert.Equal(status == ToolInputStatus.Partial, block.TryGetProperty("truncated", out _));
        Assert.Equal(status != ToolInputStatus.Complete, block.TryGetProperty("partial_input_json", out _));
    }

    [Fact]
    public void DeepInput_IsFlaggedTooDeep_NotThrown()
    {
        string deep = new('[', 300);
        Message m = AnthropicHarness.Accumulate(Encoding.UTF8.GetBytes(ToolStream([deep, deep], stop: false)));
        var tool = Assert.IsType<ToolUseBlock>(m.Content[0]);
        Assert.Equal(ToolInputStatus.TooDeep, tool.InputStatus);
        Assert.Null(tool.Input);
        Assert.Null(tool.InputSnapshot);
        Assert.Equal(600, tool.InputJson.Length);
    }

    /// <summary>
    /// A cut input whose snapshot holds a lone surrogate escape: valid JSON text, but not text
    /// Utf8JsonWriter rewrites. ToJson writes the snapshot's own text then, as it does for a whole
    /// input. Found by a review helper (ToJson threw InvalidOperationException).
    /// </summary>
    [Theory]
    [InlineData("{\\\"a\\\": \\\"\\\\udc00", true)]
    [InlineData("{\\\"a\\\": \\\"\\\\udc00", false)]
    [InlineData("{\\\"a\\\":\\\"\\\\ud800\\\",\\\"b", true)]
    public void CutInput_WithALoneSurrogateEscape_ToJsonWritesTheSnapshot(string partialJson, bool stop)
    {
        Message m = AnthropicHarness.Accumulate(Encoding.UTF8.GetBytes(ToolStream([partialJson], stop)));
        var tool = Assert.IsType<ToolUseBlock>(m.Content[0]);
        Assert.Equal(ToolInputStatus.Partial, tool.InputStatus);
        using JsonDocument json = JsonDocument.Parse(m.ToJson());
        JsonElement block = json.RootElement.GetProperty("content")[0];
        Assert.Equal(tool.InputSnapshot!.Value.GetRawText().Replace(" ", string.Empty, StringComparison.Ordinal), block.GetProperty("input").GetRawText());
        Assert.True(block.GetProperty("truncated").GetBoolean());
    }

    /// <summary>
    /// A lone surrogate escape and a byte that is not UTF-8 in the same cut input: the snapshot
    /// can be neither rewritten nor read as text, so ToJson writes <c>{}</c> for it (the raw text
    /// stays in <c>partial_input_json</c>). Found by the anthropic fuzz target in the CI run of the
    /// commit that made ToJson write the snapshot's own text.
    /// </summary>
    [Fact]
    public void CutInput_WithALoneSurrogateEscapeAndInvalidUtf8_ToJsonWritesAnEmptySnapshot()
    {
        byte[] stream = Encoding.UTF8.GetBytes(ToolStream(["{\\\"a\\\": \\\"x\\\\udc00 \u0001"], stop: true));
        int marker = Array.IndexOf(stream, (byte)0x01);
        stream[marker] = 0x94;
        Message m = AnthropicHarness.Accumulate(stream);
        var tool = Assert.IsType<ToolUseBlock>(m.Content[0]);
        Assert.Equal(ToolInputStatus.Partial, tool.InputStatus);
        using JsonDocument json = JsonDocument.Parse(m.ToJson());
        JsonElement block = json.RootElement.GetProperty("content")[0];
        Assert.Equal("{}", block.GetProperty("input").GetRawText());
        Assert.True(block.GetProperty("truncated").GetBoolean());
        Assert.Equal(tool.InputJson, block.GetProperty("partial_input_json").GetString());
        Assert.Contains('\uFFFD', tool.InputJson);
    }

    [Fact]
    public void DeepInput_AtItsStop_IsFlaggedTooDeep_NotThrown()
    {
        string deep = new string('[', 300) + new string(']', 300);
        Message m = AnthropicHarness.Accumulate(Encoding.UTF8.GetBytes(ToolStream([deep], stop: true)));
        var tool = Assert.IsType<ToolUseBlock>(m.Content[0]);
        Assert.True(tool.IsComplete);
        Assert.Equal(ToolInputStatus.TooDeep, tool.InputStatus);
        Assert.Null(tool.Input);
        Assert.Null(tool.InputSnapshot);
    }

    /// <summary>
    /// Nobody asked the live input while it arrived: at the stop the reader alone parses the whole
    /// input and the text is never scanned (the scanner reads it only when asked, here afterwards).
    /// </summary>
    [Fact]
    public void WholeInput_NobodyAsking_IsParsedAtItsStop_WithoutTheScanner()
    {
        using var accumulator = new MessageAccumulator();
        ApplyAll(accumulator, Encoding.UTF8.GetBytes(ToolStream(["{\\\"city\\\": \\\"Par", "is\\\", \\\"n\\\": [1, 2]}"], stop: true)));

        StreamingToolInput live = accumulator.GetToolInput(0)!;
        Assert.Equal(0, live.ReadLength);
        var tool = Assert.IsType<ToolUseBlock>(accumulator.GetMessage().Content[0]);
        Assert.Equal(ToolInputStatus.Complete, tool.InputStatus);
        RefEqual("""{"city": "Paris", "n": [1, 2]}""", tool.Input!.Value);
        Assert.Equal(0, live.ReadLength);

        Assert.Equal(ToolInputStatus.Complete, live.Status);
        Assert.Equal(live.Utf8Json.Length, live.ReadLength);
        Assert.Equal(2, live.PropertyCount);
    }

    [Fact]
    public void MessageTakenMidBlock_HasTheSnapshotSoFar_ThenTheWholeInput()
    {
        using var accumulator = new MessageAccumulator();
        var snapshots = new List<string>();
        ApplyAll(accumulator, Encoding.UTF8.GetBytes(ToolStream(["{\\\"city\\\": \\\"Par", "is\\\"}"], stop: true)), () =>
        {
            if (accumulator.GetMessage().Content is [ToolUseBlock tool])
            {
                snapshots.Add(tool.InputSnapshot!.Value.GetRawText() + (tool.IsInputTruncated ? " truncated" : string.Empty));
            }
        });

        // Before any partial_json the input is blank, which is {} (as it always was).
        Assert.Equal(["{}", "{\"city\": \"Par\"} truncated", "{\"city\": \"Paris\"}", "{\"city\": \"Paris\"}"], snapshots);
    }

    [Theory]
    [InlineData(true, ToolInputStatus.Complete, "{\"a\":\"x\\uFFFD\"}")]
    [InlineData(false, ToolInputStatus.Partial, "{\"a\":\"x\"}")]
    public void InvalidUtf8InTheInput_ReplacedWhenWritten_NeverThrown(bool whole, ToolInputStatus status, string written)
    {
        // JSON readers do not validate UTF-8 inside strings; the writer replaces what is invalid.
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(ToolStream(["{\\\"a\\\": \\\"x", "Q"], stop: false)));
        bytes[bytes.LastIndexOf((byte)'Q')] = 0xFF;
        if (whole)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"}\"}}\n\n"));
        }

        Message m = AnthropicHarness.Accumulate(bytes.ToArray());
        var tool = Assert.IsType<ToolUseBlock>(m.Content[0]);
        Assert.Equal(status, tool.InputStatus);
        using JsonDocument json = JsonDocument.Parse(m.ToJson());
        Assert.Equal(written, json.RootElement.GetProperty("content")[0].GetProperty("input").GetRawText());
    }

    /// <summary>A stream with one tool block fed the given <c>partial_json</c>s (already escaped for the wire).</summary>
    internal static string ToolStream(IEnumerable<string> partialJsons, bool stop, int index = 0)
    {
        var sb = new StringBuilder();
        sb.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n");
        sb.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":").Append(index).Append(",\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"write\",\"input\":{}}}\n\n");
        foreach (string part in partialJsons)
        {
            sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":").Append(index).Append(",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"").Append(part).Append("\"}}\n\n");
        }

        if (stop)
        {
            sb.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":").Append(index).Append("}\n\n");
        }

        return sb.ToString();
    }

    /// <summary>Tokenizes, decodes and applies every event of <paramref name="bytes"/>; <paramref name="afterEach"/> runs after each event.</summary>
    private static void ApplyAll(MessageAccumulator accumulator, byte[] bytes, Action? afterEach = null)
    {
        using var state = new SseParserState();
        var decoder = new AnthropicEventDecoder();
        var tokenizer = new SseTokenizer(bytes.AsSpan(), true, state);
        while (tokenizer.TryRead(out SseEvent sse))
        {
            accumulator.Apply(decoder.Decode(sse));
            afterEach?.Invoke();
        }
    }

    private static void RefEqual(string expected, JsonElement actual)
    {
        using JsonDocument e = JsonDocument.Parse(expected);
        Assert.True(JsonElement.DeepEquals(e.RootElement, actual), $"{actual.GetRawText()} != {expected}");
    }

    [Fact]
    public async Task MessageStream_GetToolInput_IsTheLiveViewOfTheStreamsOwnAccumulator()
    {
        byte[] input = Fixtures.Read("tool_use.sse");
        await using MessageStream stream = MessageStream.Create(new MemoryStream(input));
        var seen = new List<string>();
        int deltas = 0;
        while (await stream.MoveNextAsync())
        {
            if (stream.CurrentKind != AnthropicEventKind.ContentBlockDelta)
            {
                continue;
            }

            AnthropicEvent e = stream.Current;
            if (e.Delta.Kind != DeltaKind.InputJson)
            {
                Assert.Null(stream.GetToolInput(e.Delta.Index));
                continue;
            }

            deltas++;
            StreamingToolInput live = stream.GetToolInput(e.Delta.Index)!;
            Assert.EndsWith(Encoding.UTF8.GetString(stream.Current.Delta.PartialJson.RawUtf8).Replace("\\\"", "\"", StringComparison.Ordinal), Encoding.UTF8.GetString(live.Utf8Json), StringComparison.Ordinal);
            seen.Add(live.GetSnapshot().GetRawText());
        }

        Assert.True(deltas > 1);
        var tool = Assert.IsType<ToolUseBlock>(stream.GetCurrentMessage().Content.Single(b => b is ToolUseBlock));
        Assert.Equal(tool.Input!.Value.GetRawText(), JsonDocument.Parse(seen[^1]).RootElement.GetRawText());
        Assert.Null(stream.GetToolInput(99));
    }
}
