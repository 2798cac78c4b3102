using System.IO.Pipelines;
using FsCheck.Xunit;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Sse;

/// <summary>
/// The async readers take a read that only extends a cut line without building a tokenizer
/// (<c>SseTokenizer.TryAppendToCutLine</c>), and take reads that completed at once without
/// awaiting. These properties hold both readers, over a pipe whose reads return arbitrary small
/// pieces, to the whole-span tokenizer: the same events with the same offsets and numbers, the
/// same last event ID and byte count at the end, and the same limit failure at the same offset.
/// </summary>
public class SmallReadPropertyTests
{
    private sealed record Run(List<(string Type, string Data, long Offset, long Number)> Events, string LastId, long Bytes, string? Failure);

    private static byte[] Input(int[] tokens) => ChunkingPropertyTests.Build(tokens);

    // Piece sizes 0-9: mostly reads inside a line, with line ends landing anywhere in a read.
    private static int[] Pieces(byte[] sizes) => sizes.Length == 0 ? [1] : sizes.Select(s => s % 10).ToArray();

    private static (string, string, long, long) Record(SseEvent e) =>
        (e.GetEventTypeString(), Convert.ToHexString(e.Data), e.StreamOffset, e.EventNumber);

    private static string Describe(SseLimitExceededException ex) => $"{ex.Limit} {ex.LimitValue} at {ex.ByteOffset}";

    private static Run Whole(byte[] input, SseParserOptions options)
    {
        using var state = new SseParserState(options);
        var events = new List<(string, string, long, long)>();
        try
        {
            var tokenizer = new SseTokenizer(input.AsSpan(), isFinalBlock: true, state);
            while (tokenizer.TryRead(out SseEvent e))
            {
                events.Add(Record(e));
            }
        }
        catch (SseLimitExceededException ex)
        {
            return new Run(events, "", -1, Describe(ex));
        }

        return new Run(events, state.GetLastEventIdString(), state.BytesConsumed, null);
    }

    private static PipeReader Pipe(byte[] input, int[] pieces)
    {
        // Pieces repeat until the input is used up.
        var sizes = new List<int>();
        for (int total = 0, i = 0; total < input.Length; i++)
        {
            int size = pieces[i % pieces.Length];
            sizes.Add(size);
            total += size;
            if (i > 4 * input.Length + pieces.Length)
            {
                sizes.Add(input.Length);
                break;
            }
        }

        return PipeReader.Create(new PieceStream(input, sizes), new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1));
    }

    private static async Task<Run> Reader(byte[] input, int[] pieces, SseParserOptions options)
    {
        var state = new SseParserState(options);
        await using var reader = new SseReader(Pipe(input, pieces), state);
        var events = new List<(string, string, long, long)>();
        try
        {
            while (await reader.MoveNextAsync())
            {
                events.Add(Record(reader.Current));
            }
        }
        catch (SseLimitExceededException ex)
        {
            return new Run(events, "", -1, Describe(ex));
        }

        return new Run(events, state.GetLastEventIdString(), state.BytesConsumed, null);
    }

    private struct Collect : ISseHandler
    {
        public List<(string, string, long, long)> Events;

        public readonly void OnEvent(SseEvent sseEvent) => Events.Add(Record(sseEvent));

        public readonly void OnComment(ReadOnlySpan<byte> comment)
        {
        }
    }

    private static async Task<Run> Callbacks(byte[] input, int[] pieces, SseParserOptions options)
    {
        using var state = new SseParserState(options);
        var handler = new Collect { Events = [] };
        PipeReader pipe = Pipe(input, pieces);
        try
        {
            await SseParser.ParseAsync(pipe, handler, state);
        }
        catch (SseLimitExceededException ex)
        {
            return new Run(handler.Events, "", -1, Describe(ex));
        }
        finally
        {
            await pipe.CompleteAsync();
        }

        return new Run(handler.Events, state.GetLastEventIdString(), state.BytesConsumed, null);
    }

    private static void AssertSame(Run expected, Run actual, string who)
    {
        Assert.True(expected.Events.SequenceEqual(actual.Events), $"{who}: events differ");
        Assert.Equal((expected.LastId, expected.Bytes, expected.Failure), (actual.LastId, actual.Bytes, actual.Failure));
    }

    [Property(MaxTest = 300)]
    public void SmallReads_GiveWhatTheWholeSpanGives(int[] tokens, byte[] sizes)
    {
        byte[] input = Input(tokens);
        int[] pieces = Pieces(sizes);
        var options = new SseParserOptions();
        Run expected = Whole(input, options);
        AssertSame(expected, Reader(input, pieces, options).GetAwaiter().GetResult(), "SseReader");
        AssertSame(expected, Callbacks(input, pieces, options).GetAwaiter().GetResult(), "SseParser.ParseAsync");
    }

    [Property(MaxTest = 300)]
    public void SmallReads_HitTheLineLimitWhereTheWholeSpanDoes(int[] tokens, byte[] sizes, byte limit)
    {
        byte[] input = Input(tokens);
        int[] pieces = Pieces(sizes);
        var options = new SseParserOptions { MaxLineLength = 1 + (limit % 24), MaxEventSize = 1 + (limit % 40) };
        Run expected = Whole(input, options);
        AssertSame(expected, Reader(input, pieces, options).GetAwaiter().GetResult(), "SseReader");
        AssertSame(expected, Callbacks(input, pieces, options).GetAwaiter().GetResult(), "SseParser.ParseAsync");
    }

    [Fact]
    public async Task OneBytePerRead_ALongLine_FailsAtTheLimitsOffset()
    {
        // A line that grows one read at a time past the limit: the small-read path must leave the
        // failure to the tokenizer, which reports the first byte past the limit.
        byte[] input = "data: 0123456789abcdef\n\n"u8.ToArray();
        var options = new SseParserOptions { MaxLineLength = 10 };
        Run expected = Whole(input, options);
        Assert.Equal("LineLength 10 at 10", expected.Failure);
        AssertSame(expected, await Reader(input, [1], options), "SseReader");
        AssertSame(expected, await Callbacks(input, [1], options), "SseParser.ParseAsync");
    }
}
