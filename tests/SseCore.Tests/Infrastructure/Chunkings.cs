using System.Buffers;
using System.Text;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Infrastructure;

/// <summary>
/// Every way the fixture tests cut a stream: whole; split at every offset (as two buffers, and as
/// two segments of one buffer); split at every pair of offsets for short inputs; one byte per
/// segment with empty segments between; one byte per buffer.
/// </summary>
public static class Chunkings
{
    public const int PairLimit = 160;

    public static IEnumerable<(string Name, Func<byte[], SseOutcome> Run)> All(byte[] input, SseParserOptions? options = null)
    {
        yield return ("whole span", b => SseHarness.ParseWhole(b, options));
        yield return ("whole sequence", b => SseHarness.ParseChunks([b], options));
        for (int i = 0; i <= input.Length; i++)
        {
            int cut = i;
            yield return ($"two buffers at {cut}", b => SseHarness.ParseChunks(SseHarness.CutAt(b, [cut]), options));
            yield return ($"two segments at {cut}", b => SseHarness.ParseSegments(b, [cut], options));
        }

        if (input.Length <= PairLimit)
        {
            for (int i = 0; i <= input.Length; i++)
            {
                for (int j = i; j <= input.Length; j++)
                {
                    int a = i, c = j;
                    yield return ($"three buffers at {a},{c}", b => SseHarness.ParseChunks(SseHarness.CutAt(b, [a, c]), options));
                }
            }
        }

        yield return ("byte per segment", b => ParseSequence(Sequences.BytePerSegment(b), options));
        yield return ("byte per buffer, then an empty final block", b => SseHarness.ParseChunks(b.Select(x => new[] { x }).ToList(), options, finalEmptyBlock: true));
    }

    public static SseOutcome ParseSequence(ReadOnlySequence<byte> seq, SseParserOptions? options = null)
    {
        using var state = new SseParserState(options);
        var events = new List<SseRecord>();
        var tokenizer = new SseTokenizer(seq, isFinalBlock: true, state);
        while (tokenizer.TryRead(out SseEvent e))
        {
            events.Add(SseHarness.ToRecord(e));
        }

        return new SseOutcome(events, Encoding.Latin1.GetString(state.LastEventId), state.ReconnectionTime);
    }

    /// <summary>The stream with every line end rewritten to <paramref name="lineEnd"/> (CRLF and lone CR included).</summary>
    public static byte[] ReencodeLineEnds(byte[] input, string lineEnd)
    {
        var output = new List<byte>(input.Length * 2);
        byte[] end = Encoding.ASCII.GetBytes(lineEnd);
        for (int i = 0; i < input.Length; i++)
        {
            byte b = input[i];
            if (b == (byte)'\r')
            {
                if (i + 1 < input.Length && input[i + 1] == (byte)'\n')
                {
                    i++;
                }

                output.AddRange(end);
            }
            else if (b == (byte)'\n')
            {
                output.AddRange(end);
            }
            else
            {
                output.Add(b);
            }
        }

        return output.ToArray();
    }

    /// <summary>Asserts that every chunking of <paramref name="input"/> gives <paramref name="expected"/>.</summary>
    public static void AssertAllChunkings(byte[] input, SseOutcome expected, SseParserOptions? options = null)
    {
        foreach ((string name, Func<byte[], SseOutcome> run) in All(input, options))
        {
            SseOutcome actual = run(input);
            if (!expected.Equals(actual))
            {
                Assert.Fail($"Chunking '{name}' differs.\nExpected: {expected}\nActual: {actual}");
            }
        }
    }
}
