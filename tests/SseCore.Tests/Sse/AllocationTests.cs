using System.Buffers;
using System.IO.Pipelines;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Sse;

// .Result is read only after asserting the ValueTask completed: measuring on this thread needs
// synchronous completion, which is the point of these tests.
#pragma warning disable xUnit1031

/// <summary>
/// Steady-state parsing allocates nothing, measured exactly with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/>: everything measured runs on this thread.
/// </summary>
[Collection(AllocationCollection.Name)]
public class AllocationTests
{
    public static TheoryData<string, bool, int> Shapes()
    {
        var data = new TheoryData<string, bool, int>();
        foreach (string end in new[] { "LF", "CRLF", "CR" })
        {
            foreach (bool withId in new[] { false, true })
            {
                foreach (int lines in new[] { 1, 3 })
                {
                    data.Add(end, withId, lines);
                }
            }
        }

        return data;
    }

    private static string LineEnd(string name) => name switch { "CRLF" => "\r\n", "CR" => "\r", _ => "\n" };

    private struct SumHandler : ISseHandler
    {
        public long Bytes;
        public int Events;
        public int Comments;

        public void OnEvent(SseEvent sseEvent)
        {
            Events++;
            Bytes += sseEvent.Data.Length + sseEvent.EventType.Length + sseEvent.LastEventId.Length;
        }

        public void OnComment(ReadOnlySpan<byte> comment) => Comments++;
    }

    private static (int Events, long Bytes) ReadAll(ref SseTokenizer tokenizer)
    {
        int events = 0;
        long bytes = 0;
        while (tokenizer.TryRead(out SseEvent e))
        {
            events++;
            bytes += e.Data.Length + (e.EventTypeEquals("content_block_delta"u8) ? 1 : 0) + e.LastEventId.Length;
        }

        return (events, bytes);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Tokenizer_SteadyState_AllocatesZeroBytes(string lineEnd, bool withId, int dataLines)
    {
        const int Count = 4000;
        byte[] input = StreamBuilder.Deltas(Count, LineEnd(lineEnd), withId, dataLines);

        // The same stream three ways: one span; 1000-byte buffers; 97-byte segments of one sequence.
        var chunks = new List<ReadOnlyMemory<byte>>();
        for (int i = 0; i < input.Length; i += 1000)
        {
            chunks.Add(input.AsMemory(i, Math.Min(1000, input.Length - i)));
        }

        var cuts = Enumerable.Range(1, input.Length / 97).Select(i => i * 97).ToList();
        ReadOnlySequence<byte> segmented = Sequences.SplitAt(input, cuts, emptyBetween: true);

        // One state per path, as one stream has one state: renting its buffers is a per-stream cost
        // (ArrayPool may allocate on a miss), so warm-up rounds rent and later rounds reconnect.
        using var s1 = new SseParserState();
        using var s2 = new SseParserState();
        using var s3 = new SseParserState();
        AllocationAssert.NoAllocationPerEvent(3 * Count, () =>
        {
            s1.ResetForReconnect();
            s2.ResetForReconnect();
            s3.ResetForReconnect();

            long before = GC.GetAllocatedBytesForCurrentThread();
            var whole = new SseTokenizer(input.AsSpan(), true, s1);
            (int e1, long b1) = ReadAll(ref whole);

            int e2 = 0;
            long b2 = 0;
            for (int c = 0; c < chunks.Count; c++)
            {
                var t = new SseTokenizer(new ReadOnlySequence<byte>(chunks[c]), c == chunks.Count - 1, s2);
                (int e, long b) = ReadAll(ref t);
                e2 += e;
                b2 += b;
            }

            var seg = new SseTokenizer(segmented, true, s3);
            (int e3, long b3) = ReadAll(ref seg);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(Count, e1);
            Assert.Equal((e1, b1), (e2, b2));
            Assert.Equal((e1, b1), (e3, b3));
            return allocated;
        });
    }

    [Fact]
    public void StructHandler_SteadyState_AllocatesZeroBytes()
    {
        byte[] input = StreamBuilder.Deltas(4000, "\r\n", withId: true);
        using var state = new SseParserState();
        AllocationAssert.NoAllocationPerEvent(4000, () =>
        {
            state.ResetForReconnect();
            var handler = default(SumHandler);
            long before = GC.GetAllocatedBytesForCurrentThread();
            SseParser.Parse(new ReadOnlySequence<byte>(input), true, state, ref handler);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(4000, handler.Events);
            Assert.Equal(80, handler.Comments);
            return allocated;
        });
    }

    [Theory]
    [InlineData("LF")]
    [InlineData("CRLF")]
    [InlineData("CR")]
    public async Task PipeReader_WhenBytesAreBuffered_SteadyState_AllocatesZeroBytes(string lineEnd)
    {
        // The writer wrote everything (in many small writes, so many segments) before we read:
        // every MoveNextAsync completes synchronously on this thread.
        const int Count = 6000;
        byte[] input = StreamBuilder.Deltas(Count, LineEnd(lineEnd), withId: true, dataLines: 2);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        for (int i = 0; i < input.Length; i += 333)
        {
            await pipe.Writer.WriteAsync(input.AsMemory(i, Math.Min(333, input.Length - i)));
        }

        pipe.Writer.Complete();
        await using var reader = new SseReader(pipe.Reader);

        // Windows of 800 events: two to warm up, five measured; the end of the stream (where
        // Pipe itself allocates once, in AdvanceTo after its writer completed) is not measured.
        int events = 0;
        AllocationAssert.NoAllocationPerEvent(800, () =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 800; i++)
            {
                ValueTask<bool> next = reader.MoveNextAsync();
                Assert.True(next.IsCompletedSuccessfully);
                Assert.True(next.Result);
                Assert.True(reader.Current.EventTypeEquals("content_block_delta"u8));
                events++;
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        });

        while (await reader.MoveNextAsync())
        {
            events++;
        }

        Assert.Equal(Count, events);
    }

    [Fact]
    public void PipeReader_WhenEachReadWaitsForTheWriter_SteadyState_AllocatesZeroBytes()
    {
        // Inline schedulers: the writer's flush runs the reader's continuation on this thread, so
        // the awaiting path (async state machine, pipe wake-up) is measured too.
        var pipe = InlinePipe();
        using var reader = new SseReader(pipe.Reader);
        AssertNoAllocationWhenEachReadWaits(
            pipe,
            reader,
            "event: content_block_delta\ndata: {\"text\":\"a\"}\n\n"u8.ToArray(),
            "id: 42\r\nevent: content_block_delta\r\ndata: {\"text\":\"b\"}\r\n\r\n"u8.ToArray(),
            "event: content_block_delta\rdata: x\rdata: {\"text\":\"c\"}\r\r"u8.ToArray());
    }

    [Fact]
    public void PipeReader_WithTheIdleTimeoutOn_WhenEachReadWaits_SteadyState_AllocatesZeroBytes()
    {
        // The idle timeout costs nothing per read (net8+): its timer is re-armed and disarmed around
        // every read, never re-created.
        var pipe = InlinePipe();
        using var reader = new SseReader(pipe.Reader, new SseParserOptions { IdleTimeout = TimeSpan.FromHours(1) });
        AssertNoAllocationWhenEachReadWaits(
            pipe,
            reader,
            "event: content_block_delta\ndata: {\"text\":\"a\"}\n\n"u8.ToArray(),
            ": ping\nevent: content_block_delta\r\ndata: {\"text\":\"b\"}\r\n\r\n"u8.ToArray());
    }

    /// <summary>A pipe whose writer's flush runs the reader's continuation on the calling thread.</summary>
    private static Pipe InlinePipe() =>
        new(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0, useSynchronizationContext: false));

    /// <summary>
    /// Each MoveNextAsync must wait for the writer (its event is written after the call): 600 events
    /// per round, cycling through <paramref name="events"/> (each a content_block_delta), 0 B in steady state.
    /// </summary>
    private static void AssertNoAllocationWhenEachReadWaits(Pipe pipe, SseReader reader, params byte[][] events)
    {
        int n = 0;
        AllocationAssert.NoAllocationPerEvent(600, () =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 600; i++, n++)
            {
                ValueTask<bool> next = reader.MoveNextAsync();
                Assert.False(next.IsCompleted);
                pipe.Writer.Write(events[n % events.Length]);
                ValueTask<FlushResult> flush = pipe.Writer.FlushAsync();
                Assert.True(flush.IsCompletedSuccessfully);
                Assert.True(next.IsCompleted);
                Assert.True(next.Result);
                Assert.True(reader.Current.EventTypeEquals("content_block_delta"u8));
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        });
    }
}
