using System.Text;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Anthropic;

// Lambdas cannot capture the ref-struct views, so each check decodes inside the assertion.
public class DecoderTests
{
    private delegate void Check(AnthropicEvent e, AnthropicEventDecoder decoder);

    /// <summary>Decodes the single event of <paramref name="stream"/> and runs <paramref name="check"/> on it.</summary>
    private static void Decode(string stream, Check check)
    {
        using var state = new SseParserState();
        var decoder = new AnthropicEventDecoder();
        var tokenizer = new SseTokenizer(Encoding.UTF8.GetBytes(stream).AsSpan(), true, state);
        Assert.True(tokenizer.TryRead(out SseEvent sse));
        check(decoder.Decode(sse), decoder);
        Assert.False(tokenizer.TryRead(out _));
    }

    private static AnthropicProtocolException DecodeFails(string stream)
    {
        using var state = new SseParserState();
        var decoder = new AnthropicEventDecoder();
        byte[] bytes = Encoding.UTF8.GetBytes(": c\n\nevent: ping\ndata: {}\n\n" + stream);
        var tokenizer = new SseTokenizer(bytes.AsSpan(), true, state);
        Assert.True(tokenizer.TryRead(out SseEvent ping));
        decoder.Decode(ping);
        Assert.True(tokenizer.TryRead(out SseEvent sse));
        try
        {
            decoder.Decode(sse);
        }
        catch (AnthropicProtocolException ex)
        {
            Assert.Equal(2, ex.EventNumber);
            Assert.Equal(27, ex.StreamOffset);
            return ex;
        }

        throw new Xunit.Sdk.XunitException("no AnthropicProtocolException");
    }

    private static string Str(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);

    [Fact]
    public void TextDelta_WithoutEscapes_IsASliceOfTheData()
    {
        Decode("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n", (e, d) =>
        {
            Assert.Equal(AnthropicEventKind.ContentBlockDelta, e.Kind);
            Assert.Equal(3, e.Index);
            Assert.Equal(DeltaKind.Text, e.Delta.Kind);
            Assert.False(e.Delta.Text.IsEscaped);
            Assert.True(e.Data.Overlaps(e.Delta.Text.RawUtf8));
            Assert.True(e.Delta.Text.TryGetUnescaped(out ReadOnlySpan<byte> text));
            Assert.Equal("Hello", Str(text));
            Assert.Equal("Hello", Str(e.Delta.Payload.RawUtf8));
        });
    }

    [Fact]
    public void TextDelta_WithEscapes_IsUnescapedOnlyOnRequest()
    {
        const string Wire = "a\\\"b\\\\c\\n\\t\\u00e9\\ud83d\\ude00\\/\\ud800x";
        Decode("event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"text\":\"" + Wire + "\",\"type\":\"text_delta\"}}\n\n", (e, d) =>
        {
            Assert.True(e.Delta.Text.IsEscaped);
            Assert.Equal(Wire, Str(e.Delta.Text.RawUtf8));
            Assert.False(e.Delta.Text.TryGetUnescaped(out _));
            const string Expected = "a\"b\\c\n\té\U0001F600/\uFFFDx";
            Assert.Equal(Expected, Str(d.Unescape(e.Delta.Text)));
            Span<byte> buffer = stackalloc byte[e.Delta.Text.MaxUnescapedLength];
            Assert.Equal(Expected, Str(buffer[..e.Delta.Text.CopyUnescaped(buffer)]));
            Assert.Equal(Expected, e.Delta.Text.GetString());
            Assert.True(e.Delta.Text.ValueEquals(Encoding.UTF8.GetBytes(Expected)));
        });
    }

    [Fact]
    public void KeyOrder_Whitespace_AndUnknownProperties_AreTolerated()
    {
        Decode("event: content_block_delta\ndata:   {  \"extra\" : [1, {\"a\": [true, null]}],\t \"delta\" : { \"partial_json\" : \"{\\\"k\\\": 1\" , \"new_field\": {\"x\": 1}, \"type\" : \"input_json_delta\" } ,\"index\" : 1 ,\"type\":\"content_block_delta\"            }\n\n", (e, d) =>
        {
            Assert.Equal(DeltaKind.InputJson, e.Delta.Kind);
            Assert.Equal(1, e.Delta.Index);
            Assert.Equal("{\"k\": 1", Str(d.Unescape(e.Delta.PartialJson)));
        });
    }

    [Fact]
    public void DeltaTypeSpelledWithEscapes_IsStillThatType()
    {
        Decode("event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"text\\u005fdelta\",\"text\":\"a\"}}\n\n", (e, d) =>
        {
            Assert.True(e.Delta.TypeName.IsEscaped);
            Assert.Equal(DeltaKind.Text, e.Delta.Kind);
        });
    }

    [Fact]
    public void UnknownDeltaType_IsSurfacedWithItsRawJson()
    {
        Decode("event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"hologram_delta\",\"beam\":[1,2]}}\n\n", (e, d) =>
        {
            Assert.Equal(DeltaKind.Unknown, e.Delta.Kind);
            Assert.Equal("hologram_delta", e.Delta.TypeName.GetString());
            Assert.Equal("{\"type\":\"hologram_delta\",\"beam\":[1,2]}", Str(e.Delta.RawJson));
        });
    }

    [Fact]
    public void UnknownEvent_EvenWithNonJsonData_IsSurfacedNotThrown()
    {
        Decode("event: vertex_event\ndata: not json at all\n\n", (e, d) =>
        {
            Assert.Equal(AnthropicEventKind.Unknown, e.Kind);
            Assert.Equal("vertex_event", Str(e.EventName));
            Assert.Equal("not json at all", Str(e.Data));
        });
        Decode("data: [DONE]\n\n", (e, d) =>
        {
            Assert.Equal(AnthropicEventKind.Unknown, e.Kind);
            Assert.Equal("message", Str(e.EventName));
        });
    }

    [Fact]
    public void ContentBlockStart_ToolUse_AndUnknownBlockType()
    {
        Decode("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{},\"caller\":{\"type\":\"direct\"}}}\n\n", (e, d) =>
        {
            ContentBlockStartView b = e.ContentBlockStart;
            Assert.Equal(ContentBlockTypeKind.ToolUse, b.Type.Kind);
            Assert.Equal("tool_use", b.Type.Value);
            Assert.Equal("toolu_1", b.Id.GetString());
            Assert.Equal("get_weather", b.Name.GetString());
            Assert.Equal("{}", Str(b.InputJson));
            Assert.Contains("\"caller\"", Str(b.RawJson));
        });
        Decode("event: content_block_start\ndata: {\"index\":0,\"content_block\":{\"type\":\"quantum_block\",\"q\":1}}\n\n", (e, d) =>
        {
            Assert.Equal(ContentBlockTypeKind.Unknown, e.ContentBlockStart.Type.Kind);
            Assert.Equal("quantum_block", e.ContentBlockStart.Type.Value);
            Assert.Equal("{\"type\":\"quantum_block\",\"q\":1}", Str(e.ContentBlockStart.RawJson));
        });
    }

    [Fact]
    public void MessageStart_AllUsageFields()
    {
        Decode("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1,\"cache_creation_input_tokens\":2,\"cache_read_input_tokens\":3,\"cache_creation\":{\"ephemeral_5m_input_tokens\":4,\"ephemeral_1h_input_tokens\":5},\"server_tool_use\":{\"web_search_requests\":6,\"web_fetch_requests\":7},\"output_tokens_details\":{\"thinking_tokens\":8},\"service_tier\":\"priority\",\"inference_geo\":\"us\",\"speed\":\"fast\",\"iterations\":[{\"type\":\"message\"}],\"fallback_credit\":null,\"future\":1}}}\n\n", (e, d) =>
        {
            MessageStartView m = e.MessageStart;
            Assert.Equal(("msg_1", "m", "assistant"), (m.Id.GetString(), m.Model.GetString(), m.Role.GetString()));
            UsageView u = m.Usage;
            Assert.Equal(new int?[] { 10, 1, 2, 3, 4, 5, 6, 7, 8 }, new[] { u.InputTokens, u.OutputTokens, u.CacheCreationInputTokens, u.CacheReadInputTokens, u.CacheCreationEphemeral5mInputTokens, u.CacheCreationEphemeral1hInputTokens, u.WebSearchRequests, u.WebFetchRequests, u.ThinkingTokens });
            Assert.Equal(("priority", "us", "fast"), (u.ServiceTier.GetString(), u.InferenceGeo.GetString(), u.Speed.GetString()));
            Assert.Equal("[{\"type\":\"message\"}]", Str(u.IterationsJson));
            Assert.True(u.FallbackCreditJson.IsEmpty);
            Assert.Contains("\"future\":1", Str(u.RawJson));
        });
    }

    [Fact]
    public void MessageDelta_StopReasonOpenEnum_AbsentUsageFieldsAreNull()
    {
        Decode("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"END\"},\"usage\":{\"output_tokens\":42}}\n\n", (e, d) =>
        {
            Assert.Equal(StopReasonKind.StopSequence, e.MessageDelta.StopReason!.Value.Kind);
            Assert.Equal("END", e.MessageDelta.StopSequence.GetString());
            Assert.Equal(42, e.MessageDelta.Usage.OutputTokens);
            Assert.Null(e.MessageDelta.Usage.InputTokens);
        });
        Decode("event: message_delta\ndata: {\"delta\":{\"stop_reason\":\"brand_new_reason\",\"stop_details\":{\"type\":\"refusal\",\"category\":\"bio\",\"explanation\":null,\"x\":1}},\"usage\":{\"output_tokens\":1}}\n\n", (e, d) =>
        {
            StopReason reason = e.MessageDelta.StopReason!.Value;
            Assert.Equal(StopReasonKind.Unknown, reason.Kind);
            Assert.Equal("brand_new_reason", reason.Value);
            Assert.Equal("bio", e.MessageDelta.StopDetailsCategory.GetString());
            Assert.False(e.MessageDelta.StopDetailsExplanation.HasValue);
            Assert.Contains("\"x\":1", Str(e.MessageDelta.StopDetailsJson));
        });
    }

    [Fact]
    public void Error_TypeMessageRequestId()
    {
        Decode("event: error\ndata: {\"type\":\"error\",\"error\":{\"details\":null,\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"request_id\":\"req_1\"   }\n\n", (e, d) =>
        {
            Assert.Equal(AnthropicEventKind.Error, e.Kind);
            Assert.Equal(ErrorTypeKind.OverloadedError, e.Error.Type.Kind);
            Assert.Equal("Overloaded", e.Error.Message.GetString());
            Assert.Equal("req_1", e.Error.RequestId.GetString());
            Assert.True(e.Error.DetailsJson.IsEmpty);
        });
    }

    [Fact]
    public void PingAndMessageStop_Decode()
    {
        Decode("event: ping\ndata: {\"type\": \"ping\"}\n\n", (e, d) => Assert.Equal(AnthropicEventKind.Ping, e.Kind));
        Decode("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", (e, d) => Assert.Equal(AnthropicEventKind.MessageStop, e.Kind));
        Decode("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0               }\n\n", (e, d) => Assert.Equal(0, e.Index));
    }

    [Theory]
    [InlineData("event: content_block_delta\ndata: {\"index\":\"0\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}\n\n", "content_block_delta", "index")]
    [InlineData("event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":5}}\n\n", "content_block_delta", "delta.text")]
    [InlineData("event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"text_delta\"}}\n\n", "content_block_delta", "text_delta has no")]
    [InlineData("event: content_block_delta\ndata: {\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}\n\n", "content_block_delta", "no \"index\"")]
    [InlineData("event: content_block_delta\ndata: {\"index\":-1,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}\n\n", "content_block_delta", "non-negative")]
    [InlineData("event: content_block_stop\ndata: {\"index\":0\n\n", "content_block_stop", "malformed JSON")]
    [InlineData("event: message_start\ndata: {\"type\":\"message_start\"}\n\n", "message_start", "no \"message\"")]
    [InlineData("event: message_delta\ndata: {\"usage\":{\"output_tokens\":1.5}}\n\n", "message_delta", "usage.output_tokens")]
    [InlineData("event: message_stop\ndata: {} {}\n\n", "message_stop", "malformed JSON")]
    [InlineData("event: ping\ndata: [DONE]\n\n", "ping", "must be a JSON object")]
    [InlineData("event: error\ndata: {\"error\":{\"message\":\"x\"}}\n\n", "error", "no \"error\" object with a \"type\"")]
    [InlineData("event: content_block_start\ndata: {\"index\":0,\"content_block\":{\"id\":\"x\"}}\n\n", "content_block_start", "\"type\"")]
    public void MalformedPayload_ThrowsWithEventTypeOrdinalAndOffset(string stream, string eventType, string reason)
    {
        AnthropicProtocolException ex = DecodeFails(stream);
        Assert.Equal(eventType, ex.EventType);
        Assert.Contains(reason, ex.Message);
        Assert.Contains("event #2", ex.Message);
        Assert.Contains("byte offset 27", ex.Message);
    }

    [Fact]
    public void EveryFixtureEvent_Decodes_AndItsKindMatchesItsJsonType()
    {
        foreach (string name in Fixtures.Names)
        {
            using var state = new SseParserState();
            var decoder = new AnthropicEventDecoder();
            var tokenizer = new SseTokenizer(Fixtures.Read(name).AsSpan(), true, state);
            while (tokenizer.TryRead(out SseEvent sse))
            {
                AnthropicEvent e = decoder.Decode(sse);
                bool known = e.Kind != AnthropicEventKind.Unknown;
                Assert.True(known || (name == "sse_edge_cases.sse" && sse.EventTypeEquals("message"u8)), $"{name}: {Str(sse.EventType)}");
            }
        }
    }
}
