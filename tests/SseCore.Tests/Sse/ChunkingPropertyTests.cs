using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Sse;

/// <summary>
/// FsCheck properties over arbitrary byte streams biased toward SSE syntax. Inputs are arrays of
/// token indices and cut offsets, so FsCheck shrinks a failure to a short token list and few cuts.
/// </summary>
public class ChunkingPropertyTests
{
    // Each generated int becomes one line: a field, a value and a line end, mixed so that every
    // combination (and the odd raw token) appears. Line ends are weighted toward blank lines.
    private static readonly byte[][] Names =
    [
        "data:"u8.ToArray(), "data: "u8.ToArray(), "data: "u8.ToArray(), "data"u8.ToArray(), "event: "u8.ToArray(),
        "event:"u8.ToArray(), "event"u8.ToArray(), "id: "u8.ToArray(), "id"u8.ToArray(), "retry: "u8.ToArray(),
        "retry:"u8.ToArray(), ":"u8.ToArray(), ": "u8.ToArray(), ""u8.ToArray(), "x:"u8.ToArray(), "Data:"u8.ToArray(),
        [0xEF, 0xBB, 0xBF], "data :"u8.ToArray(),
    ];

    private static readonly byte[][] Values =
    [
        ""u8.ToArray(), "x"u8.ToArray(), "7"u8.ToArray(), "123"u8.ToArray(), " a b"u8.ToArray(), [0],
        "1\0"u8.ToArray(), "\u00e9\u4e2d"u8.ToArray(), [0xEF, 0xBB, 0xBF], [0xFF, 0xC3], "message"u8.ToArray(),
        "99999999999999999999"u8.ToArray(), ":"u8.ToArray(), "{\"a\":1}"u8.ToArray(), "1a"u8.ToArray(),
    ];

    private static readonly byte[][] Ends =
    [
        "\n"u8.ToArray(), "\n"u8.ToArray(), "\n"u8.ToArray(), "\r"u8.ToArray(), "\r\n"u8.ToArray(),
        "\n\n"u8.ToArray(), "\n\n"u8.ToArray(), "\r\r"u8.ToArray(), "\r\n\r\n"u8.ToArray(), "\n\r"u8.ToArray(),
        ""u8.ToArray(),
    ];

    internal static byte[] Build(int[] lines)
    {
        var bytes = new List<byte>();
        foreach (int t in lines)
        {
            uint h = unchecked((uint)t * 2654435761u);
            bytes.AddRange(Names[h % (uint)Names.Length]);
            bytes.AddRange(Values[(h >> 8) % (uint)Values.Length]);
            bytes.AddRange(Ends[(h >> 16) % (uint)Ends.Length]);
        }

        return bytes.ToArray();
    }

    private static int[] Cuts(int[] cuts, int length) => cuts.Select(c => (int)((uint)c % (uint)(length + 1))).ToArray();

    [Property(MaxTest = 400)]
    public void AnySegmentation_GivesTheSameEventsAsTheWhole(int[] tokens, int[] cuts)
    {
        byte[] input = Build(tokens);
        int[] at = Cuts(cuts, input.Length);
        SseOutcome whole = SseHarness.ParseWhole(input);
        Assert.Equal(whole, SseHarness.ParseChunks(SseHarness.CutAt(input, at)));
        Assert.Equal(whole, SseHarness.ParseSegments(input, at));
        Assert.Equal(whole, SseHarness.ParseChunks(SseHarness.CutAt(input, at), segmentsPerChunk: 3, finalEmptyBlock: true));
    }

    [Property(MaxTest = 400)]
    public void Tokenizer_AgreesWithTheReferenceModel(int[] tokens)
    {
        byte[] input = Build(tokens);
        Assert.Equal(WhatwgReference.Parse(input), SseHarness.ParseWhole(input));
    }

    [Property(MaxTest = 300)]
    public void Tokenizer_AgreesWithTheReferenceModel_OnRawBytes(byte[] input) =>
        Assert.Equal(WhatwgReference.Parse(input), SseHarness.ParseWhole(input));

    [Property(MaxTest = 200)]
    public void EveryProperPrefix_YieldsOnlyTheEventsFullyContainedInIt(int[] tokens)
    {
        byte[] input = Build(tokens);
        IReadOnlyList<SseRecord> all = WhatwgReference.Parse(input).Events;
        for (int p = 0; p < input.Length; p++)
        {
            byte[] prefix = input[..p];

            // The stream is not over: whatever the prefix yields must be complete events.
            using var state = new SseParserState();
            var tokenizer = new SseTokenizer(prefix.AsSpan(), isFinalBlock: false, state);
            var got = new List<SseRecord>();
            while (tokenizer.TryRead(out SseEvent e))
            {
                got.Add(SseHarness.ToRecord(e));
            }

            IReadOnlyList<SseRecord> contained = WhatwgReference.Parse(prefix).Events;
            Assert.Equal(contained, got);
            Assert.Equal(all.Take(got.Count), got);
        }
    }

    [Fact]
    public void Generator_ProducesInterestingStreams()
    {
        // Guards the properties against a generator that stopped producing events.
        Gen<int[]> gen = ArbMap.Default.GeneratorFor<int[]>();
        int withEvents = gen.Sample(200, 100).Count(t => WhatwgReference.Parse(Build(t)).Events.Count > 0);
        Assert.True(withEvents > 20, $"only {withEvents} of 100 generated streams dispatch an event");
        Assert.Equal("data:\n", Encoding.ASCII.GetString(Build([0])));
    }
}
