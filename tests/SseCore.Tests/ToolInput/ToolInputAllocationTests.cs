using System.Text;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.ToolInput;

/// <summary>Following a tool's input delta by delta allocates nothing once the pooled buffers have grown.</summary>
[Collection(AllocationCollection.Name)]
public class ToolInputAllocationTests
{
    private static string Input()
    {
        var sb = new StringBuilder("{\"path\": \"src/app.cs\", \"content\": \"");
        for (int i = 0; i < 400; i++)
        {
            sb.Append("line ").Append(i).Append(": caf\u00e9 \\\"quoted\\\" \\u00e9\\n");
        }

        sb.Append("\", \"lines\": [");
        for (int i = 0; i < 200; i++)
        {
            sb.Append(i == 0 ? string.Empty : ", ").Append(i * 1.5).Append(", {\"n\": ").Append(i).Append(", \"ok\": true}");
        }

        sb.Append("], \"mode\": \"overwrite\"}");
        return sb.ToString();
    }

    [Fact]
    public void StandaloneInput_AppendAndReadProgress_ZeroBytesPerDelta()
    {
        byte[] json = Encoding.UTF8.GetBytes(Input());
        List<byte[]> wire = [];
        for (int at = 0; at < json.Length; at += 37)
        {
            wire.Add(JsonInputs.EscapeAsJsonString(json.AsSpan(at, Math.Min(37, json.Length - at))));
        }

        var input = new StreamingToolInput();
        AllocationAssert.NoAllocationPerEvent(wire.Count, () =>
        {
            input.Clear();
            long seen = 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (byte[] delta in wire)
            {
                input.Append(new JsonText(delta, isEscaped: true));
                seen += input.PropertyCount + input.CurrentText.Length + input.CurrentProperty.ValueJson.Length;
                if (input.HasCurrentProperty && input.CurrentProperty.Name.ValueEquals("content"u8))
                {
                    seen++;
                }
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(ToolInputStatus.Complete, input.Status);
            Assert.Equal(4, input.PropertyCount);
            Assert.True(seen > 0);
            return allocated;
        });
    }

    [Fact]
    public void ThroughDecoderAndAccumulator_ZeroBytesPerDelta()
    {
        string text = Input();
        byte[] json = Encoding.UTF8.GetBytes(text);
        var parts = new List<string>();
        for (int at = 0; at < text.Length; at += 41)
        {
            // Cut between characters: partial_json is a JSON string, it cannot end inside one.
            parts.Add(Encoding.UTF8.GetString(JsonInputs.EscapeAsJsonString(Encoding.UTF8.GetBytes(text.Substring(at, Math.Min(41, text.Length - at))))));
        }

        byte[] stream = Encoding.UTF8.GetBytes(AccumulatorToolInputTests.ToolStream(parts, stop: false));
        using var state = new SseParserState();
        var decoder = new AnthropicEventDecoder();
        AllocationAssert.NoAllocationPerEvent(parts.Count, () =>
        {
            state.ResetForReconnect();
            using var accumulator = new MessageAccumulator();
            var tokenizer = new SseTokenizer(stream.AsSpan(), true, state);
            AnthropicEvent e = default;
            for (int i = 0; i < 2; i++)
            {
                Assert.True(tokenizer.TryRead(out SseEvent head));
                decoder.Decode(head, ref e);
                accumulator.Apply(in e);
            }

            long textSeen = 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            while (tokenizer.TryRead(out SseEvent sse))
            {
                decoder.Decode(sse, ref e);
                accumulator.Apply(in e);
                StreamingToolInput live = accumulator.GetToolInput(e.Delta.Index)!;
                textSeen += live.CurrentText.Length;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(json, accumulator.GetToolInput(0)!.Utf8Json.ToArray());
            Assert.True(textSeen > 0);
            return allocated;
        });
    }
}
