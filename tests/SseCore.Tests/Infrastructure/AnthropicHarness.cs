using System.Buffers;
using SseCore.Anthropic;

namespace SseCore.Tests.Infrastructure;

/// <summary>Runs tokenizer + decoder + accumulator over a stream cut into buffers.</summary>
public static class AnthropicHarness
{
    public static (Message Message, bool Complete) Accumulate(IReadOnlyList<byte[]> chunks, int segmentsPerChunk = 1)
    {
        using var state = new SseParserState();
        var decoder = new AnthropicEventDecoder();
        var accumulator = new MessageAccumulator();
        for (int c = 0; c < chunks.Count; c++)
        {
            ReadOnlySequence<byte> seq = Sequences.Split(chunks[c], segmentsPerChunk);
            var tokenizer = new SseTokenizer(seq, c == chunks.Count - 1, state);
            while (tokenizer.TryRead(out SseEvent e))
            {
                accumulator.Apply(decoder.Decode(e));
            }
        }

        return (accumulator.GetMessage(), accumulator.IsComplete);
    }

    public static Message Accumulate(byte[] input) => Accumulate([input]).Message;
}
