using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Sse;

/// <summary>
/// <see cref="SseParserOptions.IdleTimeout"/> on the readers: a stall ends in
/// <see cref="SseIdleTimeoutException"/> with the byte offset, any bytes (comments too) reset it,
/// and the caller's cancellation stays an <see cref="OperationCanceledException"/>. Outcomes are
/// asserted, never durations; every wait is bounded by <see cref="Patience"/>.
/// </summary>
public class IdleTimeoutTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public void Option_IsOffByDefault_AndRejectsNonPositiveOrHugeValues()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, new SseParserOptions().IdleTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SseParserOptions { IdleTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SseParserOptions { IdleTimeout = TimeSpan.FromSeconds(-2) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SseParserOptions { IdleTimeout = TimeSpan.FromDays(30) });
        Assert.Equal(TimeSpan.FromDays(24), new SseParserOptions { IdleTimeout = TimeSpan.FromDays(24) }.IdleTimeout);
        var options = new SseParserOptions { IdleTimeout = TimeSpan.FromSeconds(1) };
        options.IdleTimeout = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, options.IdleTimeout);
    }

    [Fact]
    public async Task StallBeforeAnyByte_TimesOut_AtOffsetZero_AndKeepsFailing()
    {
        var pipe = new Pipe();
        var timeout = TimeSpan.FromMilliseconds(100);
        await using var reader = new SseReader(pipe.Reader, new SseParserOptions { IdleTimeout = timeout });
        var ex = await Assert.ThrowsAsync<SseIdleTimeoutException>(() => reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(timeout, ex.IdleTimeout);
        Assert.Equal(0, ex.ByteOffset);
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.Contains("IdleTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("byte offset 0", ex.Message, StringComparison.Ordinal);

        // A stalled stream never looks like a clean end, even if bytes come later.
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("data: late\n\n"));
        Assert.Same(ex, await Assert.ThrowsAsync<SseIdleTimeoutException>(() => reader.MoveNextAsync().AsTask().WaitAsync(Patience)));
    }

    [Fact]
    public async Task StallInsideALine_AfterTwoEvents_DeliversBoth_ThenTimesOut_AtTheBytesReceived()
    {
        byte[] sent = Encoding.ASCII.GetBytes("event: a\ndata: 1\n\n: ping\ndata: 2\n\ndata: par");
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(sent);
        await using var reader = new SseReader(pipe.Reader, new SseParserOptions { IdleTimeout = TimeSpan.FromMilliseconds(80) });
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("1", reader.Current.GetDataString());
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("2", reader.Current.GetDataString());
        var ex = await Assert.ThrowsAsync<SseIdleTimeoutException>(() => reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(sent.Length, ex.ByteOffset);
    }

    [Fact]
    public async Task CommentsMoreOftenThanTheTimeout_ForLongerThanTheTimeout_KeepTheStreamAlive()
    {
        // 40+ comments 25 ms apart (over 1 s) against a 600 ms timeout. The writer is a thread of
        // its own and the reader runs inline on its flushes, so a busy thread pool can delay the
        // timer's callback (harmless: it then finds the wait over) but not the bytes.
        var timeout = TimeSpan.FromMilliseconds(600);
        var pipe = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        await using var reader = new SseReader(pipe.Reader, new SseParserOptions { IdleTimeout = timeout });
        int comments = 0;
        reader.CommentHandler = _ => comments++;
        var writer = new Thread(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 40 || clock.Elapsed < timeout * 1.5; i++)
            {
                pipe.Writer.Write(Encoding.ASCII.GetBytes($": keep-alive {i}\n"));
                pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
                Thread.Sleep(25);
            }

            pipe.Writer.Write(Encoding.ASCII.GetBytes("data: after the keep-alives\n\n"));
            pipe.Writer.Complete();
        });
        writer.Start();

        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("after the keep-alives", reader.Current.GetDataString());
        Assert.True(comments >= 40);
        Assert.False(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.True(writer.Join(Patience));
    }

    [Fact]
    public async Task TimeBetweenReads_DoesNotCount_OnlyTheWaitForBytes()
    {
        // The consumer takes longer than the timeout between reads while the bytes are already
        // buffered: nothing was waited for, so nothing times out.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("data: 1\n\ndata: 2\n\n"));
        await using var reader = new SseReader(pipe.Reader, new SseParserOptions { IdleTimeout = TimeSpan.FromMilliseconds(50) });
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        await Task.Delay(200);
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("2", reader.Current.GetDataString());
    }

    [Fact]
    public async Task CallerCancellation_WithTheIdleTimeoutOn_IsAnOperationCanceledException_AndTheReaderGoesOn()
    {
        var pipe = new Pipe();
        await using var reader = new SseReader(pipe.Reader, new SseParserOptions { IdleTimeout = TimeSpan.FromMinutes(5) });
        using var cts = new CancellationTokenSource();
        Task<bool> pending = reader.MoveNextAsync(cts.Token).AsTask();
        cts.CancelAfter(50);
        Exception ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Patience));
        Assert.IsNotType<SseIdleTimeoutException>(ex);

        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("data: still here\n\n"));
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("still here", reader.Current.GetDataString());
    }

    [Fact]
    public async Task IdleTimeoutOff_CancellationOfAStall_DoesNotHang()
    {
        var pipe = new Pipe();
        await using var reader = new SseReader(pipe.Reader);
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.MoveNextAsync(cts.Token).AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task StreamSource_StallTimesOut_AndTheStreamsReadIsCanceled()
    {
        var stream = new StallingStream(Encoding.ASCII.GetBytes("data: x\n\nda"));
        await using var reader = SseReader.Create(stream, new SseParserOptions { IdleTimeout = TimeSpan.FromMilliseconds(80) });
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        var ex = await Assert.ThrowsAsync<SseIdleTimeoutException>(() => reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(11, ex.ByteOffset);
        Assert.True(stream.ReadWasCanceled);
    }

    [Fact]
    public async Task ParseAsync_HonoursTheStatesIdleTimeout()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("data: 1\n\ndata: 2\n\n"));
        using var state = new SseParserState(new SseParserOptions { IdleTimeout = TimeSpan.FromMilliseconds(80) });
        var counter = new Counter();
        var ex = await Assert.ThrowsAsync<SseIdleTimeoutException>(() => SseParser.ParseAsync(pipe.Reader, new CountingHandler(counter), state).AsTask().WaitAsync(Patience));
        Assert.Equal(2, counter.Events);
        Assert.Equal(18, ex.ByteOffset);
    }

    [Fact]
    public async Task BytesArrivingAroundTheDeadline_EndInEventsOrATimeout_NeverACancellationOrALoss()
    {
        // Writes spaced about as far apart as the timeout, so the timer often fires just as bytes
        // arrive: the late fire must be told apart from a cancellation and read past.
        for (int round = 0; round < 6; round++)
        {
            var pipe = new Pipe();
            await using var reader = new SseReader(pipe.Reader, new SseParserOptions { IdleTimeout = TimeSpan.FromMilliseconds(4) });
            var random = new Random(round);
            using var stop = new CancellationTokenSource();
            Task writer = Task.Run(async () =>
            {
                for (int i = 0; i < 150 && !stop.IsCancellationRequested; i++)
                {
                    await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes($"data: {i}\n\n"));
                    Thread.SpinWait(random.Next(0, 4000));
                    if (random.Next(4) == 0)
                    {
                        await Task.Delay(random.Next(0, 8));
                    }
                }

                await pipe.Writer.CompleteAsync();
            });

            int next = 0;
            try
            {
                while (await reader.MoveNextAsync().AsTask().WaitAsync(Patience))
                {
                    Assert.Equal(next.ToString(System.Globalization.CultureInfo.InvariantCulture), reader.Current.GetDataString());
                    next++;
                }

                Assert.Equal(150, next);
            }
            catch (SseIdleTimeoutException)
            {
                // A timeout is a legitimate end here; anything else (an OperationCanceledException,
                // a lost or repeated event) fails the test.
            }
            finally
            {
                stop.Cancel();
            }

            await writer.WaitAsync(Patience);
        }
    }

    private sealed class Counter
    {
        public int Events { get; set; }
    }

    private readonly struct CountingHandler(Counter counter) : ISseHandler
    {
        public void OnEvent(SseEvent sseEvent) => counter.Events++;

        public void OnComment(ReadOnlySpan<byte> comment)
        {
        }
    }

    /// <summary>Returns its bytes, then blocks until the read is canceled.</summary>
    private sealed class StallingStream(byte[] head) : Stream
    {
        private bool _sent;

        public bool ReadWasCanceled { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_sent)
            {
                _sent = true;
                head.CopyTo(buffer);
                return head.Length;
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                ReadWasCanceled = true;
                throw;
            }

            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
