using System.Buffers;
using System.Text;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Infrastructure;

/// <summary>Runs the real tokenizer over a stream cut in various ways and collects what it yields.</summary>
public static class SseHarness
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    public static SseRecord ToRecord(SseEvent e) =>
        new(Latin1.GetString(e.EventType), Latin1.GetString(e.Data), Latin1.GetString(e.LastEventId), e.ReconnectionTime);

    /// <summary>The whole stream as one span.</summary>
    public static SseOutcome ParseWhole(byte[] input, SseParserOptions? options = null)
    {
        using var state = new SseParserState(options);
        var events = new List<SseRecord>();
        var tokenizer = new SseTokenizer(input.AsSpan(), isFinalBlock: true, state);
        while (tokenizer.TryRead(out SseEvent e))
        {
            events.Add(ToRecord(e));
        }

        return new SseOutcome(events, Latin1.GetString(state.LastEventId), state.ReconnectionTime);
    }

    /// <summary>
    /// Each chunk is handed to its own tokenizer as the next buffer (the across-calls path), and
    /// every chunk is itself given as a sequence of <paramref name="segmentsPerChunk"/> segments
    /// with an empty segment between each (the within-call multi-segment path).
    /// </summary>
    public static SseOutcome ParseChunks(IReadOnlyList<byte[]> chunks, SseParserOptions? options = null, int segmentsPerChunk = 1, bool finalEmptyBlock = false)
    {
        using var state = new SseParserState(options);
        var events = new List<SseRecord>();
        for (int c = 0; c < chunks.Count; c++)
        {
            bool final = !finalEmptyBlock && c == chunks.Count - 1;
            ReadOnlySequence<byte> seq = Sequences.Split(chunks[c], segmentsPerChunk);
            var tokenizer = new SseTokenizer(seq, final, state);
            while (tokenizer.TryRead(out SseEvent e))
            {
                events.Add(ToRecord(e));
            }

            Assert.Equal(seq.End, tokenizer.Consumed);
        }

        if (finalEmptyBlock || chunks.Count == 0)
        {
            var end = new SseTokenizer(ReadOnlySequence<byte>.Empty, true, state);
            while (end.TryRead(out SseEvent e))
            {
                events.Add(ToRecord(e));
            }
        }

        Assert.True(state.IsCompleted);
        return new SseOutcome(events, Latin1.GetString(state.LastEventId), state.ReconnectionTime);
    }

    /// <summary>The whole stream as one multi-segment sequence, split at the given offsets.</summary>
    public static SseOutcome ParseSegments(byte[] input, IEnumerable<int> cuts, SseParserOptions? options = null)
    {
        using var state = new SseParserState(options);
        var events = new List<SseRecord>();
        var tokenizer = new SseTokenizer(Sequences.SplitAt(input, cuts, emptyBetween: true), isFinalBlock: true, state);
        while (tokenizer.TryRead(out SseEvent e))
        {
            events.Add(ToRecord(e));
        }

        return new SseOutcome(events, Latin1.GetString(state.LastEventId), state.ReconnectionTime);
    }

    public static IReadOnlyList<byte[]> CutAt(byte[] input, IEnumerable<int> cuts)
    {
        var list = new List<byte[]>();
        int prev = 0;
        foreach (int cut in cuts.Where(c => c >= 0 && c <= input.Length).Distinct().Order())
        {
            list.Add(input[prev..cut]);
            prev = cut;
        }

        list.Add(input[prev..]);
        return list;
    }
}
