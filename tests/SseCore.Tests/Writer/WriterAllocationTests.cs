using System.Buffers;
using System.IO.Pipelines;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Writer;

// .Result is read only after asserting the ValueTask completed: measuring on this thread needs
// synchronous completion.
#pragma warning disable xUnit1031

/// <summary>
/// Writing allocates nothing per event — bytes or chars, multi-line data, IDs, retry, comments —
/// to an <see cref="IBufferWriter{T}"/> and to a <see cref="PipeWriter"/> flushed per event,
/// measured exactly with <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
[Collection(AllocationCollection.Name)]
public class WriterAllocationTests
{
    private const int Count = 2000;
    private const string Text = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello \u00e9\u4e2d\"}}";

    private static void WriteOne(SseWriter writer, int i)
    {
        switch (i % 4)
        {
            case 0:
                writer.WriteEvent("{\"type\":\"ping\"}"u8, "ping"u8);
                break;
            case 1:
                writer.WriteEvent(Text, "content_block_delta", "42");
                break;
            case 2:
                writer.WriteEvent("line one\r\nline two\nline three"u8, "multi"u8, "43"u8);
                break;
            default:
                writer.WriteRetry(1500);
                writer.WriteComment(" keep-alive");
                writer.WriteEvent("a\rb\n\nc");
                break;
        }
    }

    [Fact]
    public void BufferWriter_AllocatesZeroBytesPerEvent()
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        var writer = new SseWriter(buffer);
        AllocationAssert.NoAllocationPerEvent(Count, () =>
        {
            buffer.ResetWrittenCount();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Count; i++)
            {
                WriteOne(writer, i);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(Count, SseHarness.ParseWhole(buffer.WrittenSpan.ToArray()).Events.Count);
            return allocated;
        });
    }

    [Fact]
    public void PipeWriter_FlushedPerEvent_AllocatesZeroBytesPerEvent()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var writer = new SseWriter(pipe.Writer);
        long written = 0;
        AllocationAssert.NoAllocationPerEvent(Count, () =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Count; i++)
            {
                WriteOne(writer, i);
                ValueTask<FlushResult> flush = writer.FlushAsync();
                Assert.True(flush.IsCompletedSuccessfully);
                Assert.False(flush.Result.IsCompleted);

                // The other side takes the bytes, as a socket would.
                if (i % 16 == 15)
                {
                    Assert.True(pipe.Reader.TryRead(out ReadResult read));
                    written += read.Buffer.Length;
                    pipe.Reader.AdvanceTo(read.Buffer.End);
                }
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(written > 0);
            return allocated;
        });
    }
}
