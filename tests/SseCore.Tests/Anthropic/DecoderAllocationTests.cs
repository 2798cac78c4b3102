using System.Text;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Anthropic;

[Collection(AllocationCollection.Name)]
public class DecoderAllocationTests
{
    [Fact]
    public void Decoding_SteadyState_AllocatesZeroBytes()
    {
        // Every event type, plain and escaped text, unknown events and deltas, usage with strings.
        var sb = new StringBuilder();
        sb.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1,\"service_tier\":\"standard\",\"cache_creation\":{\"ephemeral_5m_input_tokens\":0}}}}\n\n");
        sb.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        for (int i = 0; i < 1000; i++)
        {
            sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"tok ").Append(i).Append("\"}}\n\n");
            sb.Append("event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"text\":\"esc \\\"q\\\" \\u00e9\\n\",\"type\":\"text_delta\"},\"type\":\"content_block_delta\"}\n\n");
            sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":\"}}\n\n");
            sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"mystery_delta\",\"x\":[1]}}\n\n");
            sb.Append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
            sb.Append("event: vertex_event\ndata: {\"v\":1}\n\n");
        }

        sb.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        sb.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"future_block\",\"z\":1}}\n\n");
        sb.Append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":30}}\n\n");
        sb.Append("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
        sb.Append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        byte[] input = Encoding.UTF8.GetBytes(sb.ToString());
        const int Events = 6007;

        using var state = new SseParserState();
        var decoder = new AnthropicEventDecoder();
        AllocationAssert.NoAllocationPerEvent(Events, () =>
        {
            state.ResetForReconnect();
            long before = GC.GetAllocatedBytesForCurrentThread();
            var tokenizer = new SseTokenizer(input.AsSpan(), true, state);
            int count = 0;
            long textBytes = 0;
            while (tokenizer.TryRead(out SseEvent sse))
            {
                AnthropicEvent e = decoder.Decode(sse);
                count++;
                if (e.Kind == AnthropicEventKind.ContentBlockDelta && e.Delta.Kind == DeltaKind.Text)
                {
                    textBytes += decoder.Unescape(e.Delta.Text).Length;
                }
                else if (e.Kind == AnthropicEventKind.MessageDelta)
                {
                    textBytes += e.MessageDelta.StopReason!.Value.Value.Length;
                }
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(Events, count);
            Assert.True(textBytes > 0);
            return allocated;
        });
    }

    [Fact]
    public void WholeStream_ToFinalMessage_AllocatesTheMessageAndAConstant()
    {
        // 4,000 text deltas (escaped and not, non-ASCII) and a tool block: the accumulated UTF-8
        // grows in pooled buffers, so what a whole stream allocates is the message's own strings
        // plus a constant (the message objects, the parsed tool input), not the event count.
        var sb = new StringBuilder();
        sb.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n");
        sb.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        for (int i = 0; i < 4000; i++)
        {
            string delta = (i % 3) switch { 0 => "plain words " + i, 1 => "esc \\\"q\\\" \\u00e9\\n " + i, _ => "café 😀 " + i };
            sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"").Append(delta).Append("\"}}\n\n");
            if (i % 100 == 99)
            {
                sb.Append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
            }
        }

        sb.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        sb.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get\",\"input\":{}}}\n\n");
        foreach (string part in new[] { "{\\\"loc", "ation\\\": \\\"Par", "is\\\"}" })
        {
            sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"").Append(part).Append("\"}}\n\n");
        }

        sb.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n");
        sb.Append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":30}}\n\n");
        sb.Append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        byte[] input = Encoding.UTF8.GetBytes(sb.ToString());

        using var state = new SseParserState();
        var decoder = new AnthropicEventDecoder();
        (long Allocated, Message Message) Run()
        {
            state.ResetForReconnect();
            long before = GC.GetAllocatedBytesForCurrentThread();
            using var accumulator = new MessageAccumulator();
            var tokenizer = new SseTokenizer(input.AsSpan(), true, state);
            AnthropicEvent e = default;
            while (tokenizer.TryRead(out SseEvent sse))
            {
                decoder.Decode(sse, ref e);
                accumulator.Apply(in e);
            }

            Message message = accumulator.GetMessage();
            return (GC.GetAllocatedBytesForCurrentThread() - before, message);
        }

        Run();
        Run();
        (long allocated, Message final) = Run();

        Assert.Equal("Paris", ((ToolUseBlock)final.Content[1]).Input!.Value.GetProperty("location").GetString());
        string text = ((TextBlock)final.Content[0]).Text;
        Assert.Contains("esc \"q\" é\n 1", text, StringComparison.Ordinal);
        long textString = 22 + (2L * text.Length); // the string object: header, length, UTF-16 chars
        Assert.True(allocated <= textString + 16 * 1024, $"{allocated:N0} B allocated for a message whose text string is {textString:N0} B");
        Assert.True(allocated >= textString, $"{allocated:N0} B: the text string alone is {textString:N0} B");
    }

    [Fact]
    public void Accumulator_AfterDispose_RefusesUse_MessagesTakenBeforeStayValid()
    {
        byte[] input = Encoding.UTF8.GetBytes(
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"kept\"}}\n\n");
        using var state = new SseParserState();
        var tokenizer = new SseTokenizer(input.AsSpan(), true, state);
        Assert.True(tokenizer.TryRead(out SseEvent sse));
        var accumulator = new MessageAccumulator();
        accumulator.Apply(new AnthropicEventDecoder().Decode(sse));
        Message taken = accumulator.GetMessage();

        accumulator.Dispose();
        accumulator.Dispose();

        Assert.Equal("kept", ((TextBlock)taken.Content[0]).Text);
        Assert.Throws<ObjectDisposedException>(() => accumulator.GetMessage());
        Assert.Throws<ObjectDisposedException>(() => accumulator.Apply(default));
    }
}
