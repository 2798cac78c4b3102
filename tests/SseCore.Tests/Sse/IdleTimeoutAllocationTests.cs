using System.Buffers;
using System.IO.Pipelines;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Sse;

/// <summary>The idle timeout costs nothing per read when it is on (net8+): the timer is re-armed, never re-created.</summary>
[Collection(AllocationCollection.Name)]
public class IdleTimeoutAllocationTests
{
    [Fact]
    public void PipeReader_WithTheIdleTimeoutOn_WhenEachReadWaits_SteadyState_AllocatesZeroBytes()
    {
        // As AllocationTests' awaiting case, with the timer armed and disarmed around every read.
        var pipe = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0, useSynchronizationContext: false));
        using var reader = new SseReader(pipe.Reader, new SseParserOptions { IdleTimeout = TimeSpan.FromHours(1) });
        byte[][] events =
        [
            "event: content_block_delta\ndata: {\"text\":\"a\"}\n\n"u8.ToArray(),
            ": ping\nevent: content_block_delta\r\ndata: {\"text\":\"b\"}\r\n\r\n"u8.ToArray(),
        ];

        int n = 0;
        AllocationAssert.NoAllocationPerEvent(600, () =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 600; i++, n++)
            {
                ValueTask<bool> next = reader.MoveNextAsync();
                Assert.False(next.IsCompleted);
                pipe.Writer.Write(events[n % 2]);
                ValueTask<FlushResult> flush = pipe.Writer.FlushAsync();
                Assert.True(flush.IsCompletedSuccessfully);
                Assert.True(next.IsCompleted);
                Assert.True(next.GetAwaiter().GetResult());
                Assert.True(reader.Current.EventTypeEquals("content_block_delta"u8));
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        });
    }
}
