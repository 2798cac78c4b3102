using System.Text;
using System.Text.Json;
using SseCore.Anthropic;

namespace SseCore.Tests.Anthropic;

/// <summary>
/// JSON the reader accepts but whose strings do not decode (an escaped lone surrogate) is kept
/// raw and must still serialize (found by fuzzing:
/// fuzz/regressions/anthropic/raw-block-with-lone-surrogate-escape.sse).
/// </summary>
public class MessageToJsonSurrogateTests
{
    private static Message Accumulate(string sse)
    {
        using MessageStream stream = MessageStream.Create(new MemoryStream(Encoding.UTF8.GetBytes(sse)));
        return stream.GetFinalMessageAsync().GetAwaiter().GetResult();
    }

    private const string Start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n";
    private const string Stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    [Fact]
    public void RawBlock_WithALoneSurrogateEscape_IsWrittenAsReceived()
    {
        Message message = Accumulate(Start
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"web_search_tool_result\",\n"
            + "data:  \"content\": [{\"u\\ud800rl\": \"x\\\"y\"}]}}\n\n" + Stop);

        string json = message.ToJson();

        Assert.DoesNotContain("\n", json);
        Assert.Contains("{\"type\":\"web_search_tool_result\",\"content\":[{\"u\\ud800rl\":\"x\\\"y\"}]}", json);
        using JsonDocument doc = JsonDocument.Parse(json);
        _ = message.ToJson(indented: true);
    }

    [Fact]
    public void ToolInput_WithALoneSurrogateEscape_IsWrittenAsReceived()
    {
        Message message = Accumulate(Start
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{}}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"q\\\": \\\"\\\\udc00\\\"}\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" + Stop);

        var tool = Assert.IsType<ToolUseBlock>(Assert.Single(message.Content));
        Assert.True(tool.InputIsValid);
        string json = message.ToJson();

        Assert.Contains("\"input\":{\"q\":\"\\udc00\"}", json);
        using JsonDocument doc = JsonDocument.Parse(json);
    }

    [Fact]
    public void ValidEscapes_StillUseTheWritersFormatting()
    {
        Message message = Accumulate(Start
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"web_search_tool_result\", \"content\": [{\"t\": \"\\u00e9\\ud83d\\ude00\"}]}}\n\n" + Stop);

        string json = message.ToJson();

        Assert.Contains("{\"type\":\"web_search_tool_result\",\"content\":[{\"t\":", json);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal("é😀", doc.RootElement.GetProperty("content")[0].GetProperty("content")[0].GetProperty("t").GetString());
    }

    [Fact]
    public void PropertyNames_WithALoneSurrogateEscape_DoNotStopTheAccumulatorsLookups()
    {
        // fuzz/regressions/anthropic/citation-name-with-lone-surrogate-escape.sse: the citation's
        // type and a fallback block's to.model are looked up by property name, best effort.
        Message message = Accumulate(Start
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"\\ud800\":1,\"type\":\"char_location\"}}}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"fallback\",\"to\":{\"\\udc00x\":0,\"model\":\"m2\"}}}\n\n"
            + Stop);

        var text = Assert.IsType<TextBlock>(message.Content[0]);
        Assert.Equal("char_location", Assert.Single(text.Citations).Type);
        Assert.Equal("m2", message.Model);
        using JsonDocument doc = JsonDocument.Parse(message.ToJson());
    }
}
