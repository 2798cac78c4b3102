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
}
