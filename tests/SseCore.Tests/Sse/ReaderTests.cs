using System.IO.Pipelines;
using System.Text;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Sse;

/// <summary>The async readers over a real <see cref="Pipe"/> with a writer task, and over streams.</summary>
public class ReaderTests
{
    // Liveness bound only (a hang fails the test); nothing here measures speed.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task Write(PipeWriter writer, string text)
    {
        FlushResult r = await writer.WriteAsync(Encoding.UTF8.GetBytes(text));
        Assert.False(r.IsCompleted);
    }

    [Theory]
    [InlineData("\n\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("\r\r")]
    [InlineData("\n\r")]
    public async Task Reader_DeliversAnEvent_AsSoonAsItsTerminatingLineEndIsFlushed(string end)
    {
        var pipe = new Pipe();
        await using var reader = new SseReader(pipe.Reader);

        // The event arrives in pieces; its last line end in a flush of its own. Nothing follows.
        await Write(pipe.Writer, "event: content_block_delta\ndata: hel");
        await Write(pipe.Writer, "lo" + end[..1]);
        ValueTask<bool> next = reader.MoveNextAsync();
        await Write(pipe.Writer, end[1..]);

        Assert.True(await next.AsTask().WaitAsync(Patience));
        Assert.Equal("hello", reader.Current.GetDataString());
        Assert.Equal("content_block_delta", reader.Current.GetEventTypeString());

        // The writer is still open: the next read waits for bytes, then goes on (an LF after a
        // lone CR is skipped, not read as a blank line).
        Task<bool> second = reader.MoveNextAsync().AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        await Write(pipe.Writer, "\ndata: two\n\n");
        Assert.True(await second.WaitAsync(Patience));
        Assert.Equal("two", reader.Current.GetDataString());

        pipe.Writer.Complete();
        Assert.False(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reader_WithACancelledToken_StillDeliversBytesAlreadyInThePipe_ThenCancelsTheWait(bool idleTimeout)
    {
        // The token cancels the wait for more bytes: an event the pipe already holds is delivered
        // (with or without an idle timeout), and only the wait that follows is cancelled, through
        // the returned task rather than by the call itself.
        var pipe = new Pipe();
        var options = new SseParserOptions { IdleTimeout = idleTimeout ? TimeSpan.FromHours(1) : Timeout.InfiniteTimeSpan };
        await using var reader = new SseReader(pipe.Reader, options);
        await Write(pipe.Writer, "data: a\n\ndata: b\n\n");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.True(await reader.MoveNextAsync(cancelled.Token));
        Assert.Equal("a", reader.Current.GetDataString());
        Assert.True(await reader.MoveNextAsync(cancelled.Token));
        Assert.Equal("b", reader.Current.GetDataString());

        ValueTask<bool> wait = reader.MoveNextAsync(cancelled.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);

        // Cancellation is not a failure: the reader goes on with the next call.
        await Write(pipe.Writer, "data: c\n\n");
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal("c", reader.Current.GetDataString());
    }

    [Fact]
    public async Task Reader_WithAConcurrentWriter_DeliversEveryEventInOrder()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4096, resumeWriterThreshold: 2048));
        byte[] input = StreamBuilder.Deltas(3000, "\r\n", withId: true, dataLines: 2);
        var random = new Random(7);
        Task writer = Task.Run(async () =>
        {
            for (int i = 0; i < input.Length;)
            {
                int n = Math.Min(random.Next(1, 700), input.Length - i);
                await pipe.Writer.WriteAsync(input.AsMemory(i, n));
                i += n;
            }

            await pipe.Writer.CompleteAsync();
        });

        var got = new List<SseRecord>();
        await using (var reader = new SseReader(pipe.Reader))
        {
            while (await reader.MoveNextAsync())
            {
                got.Add(SseHarness.ToRecord(reader.Current));
            }
        }

        await writer;
        Assert.Equal(WhatwgReference.Parse(input).Events, got);
    }

    [Fact]
    public async Task Reader_Cancellation_MidRead_ReturnsPromptly_AndTheReaderCanGoOn()
    {
        var pipe = new Pipe();
        await using var reader = new SseReader(pipe.Reader);
        await Write(pipe.Writer, "data: partial");
        using var cts = new CancellationTokenSource();
        Task<bool> pending = reader.MoveNextAsync(cts.Token).AsTask();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Patience));

        // Nothing was lost: the partial line is still there.
        await Write(pipe.Writer, " line\n\n");
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("partial line", reader.Current.GetDataString());
    }

    [Fact]
    public async Task StreamReader_Cancellation_WhileTheStreamBlocks_ReturnsPromptly()
    {
        using var cts = new CancellationTokenSource();
        await using var reader = SseReader.Create(new NeverEndingStream());
        Task<bool> pending = reader.MoveNextAsync(cts.Token).AsTask();
        await Task.Delay(50);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Patience));
    }

    [Fact]
    public async Task StreamReader_ReadsAFixture_AndDisposesTheStreamUnlessLeftOpen()
    {
        byte[] input = Fixtures.Read("tool_use_recorded.sse");
        var stream = new MemoryStream(input);
        var got = new List<SseRecord>();
        await using (SseReader reader = SseReader.Create(stream))
        {
            while (await reader.MoveNextAsync())
            {
                got.Add(SseHarness.ToRecord(reader.Current));
            }
        }

        Assert.Equal(WhatwgReference.Parse(input).Events, got);
        Assert.False(stream.CanRead);

        var kept = new MemoryStream(input);
        await using (SseReader reader = SseReader.Create(kept, leaveOpen: true))
        {
            Assert.True(await reader.MoveNextAsync());
        }

        Assert.True(kept.CanRead);
    }

    [Fact]
    public async Task ReadAllAsync_MaterializesEvents()
    {
        var stream = new MemoryStream("retry: 10\nid: a\ndata: x\n\nevent: e\ndata: y\n\n"u8.ToArray());
        await using SseReader reader = SseReader.Create(stream);
        var all = new List<SseMessage>();
        await foreach (SseMessage m in reader.ReadAllAsync())
        {
            all.Add(m);
        }

        Assert.Equal(2, all.Count);
        Assert.Equal(("message", "x", "a", (long?)10), (all[0].EventType, all[0].Data, all[0].LastEventId, all[0].ReconnectionTime));
        Assert.Equal(("e", "y", "a"), (all[1].EventType, all[1].Data, all[1].LastEventId));
        Assert.Equal("a", reader.State.GetLastEventIdString());
        Assert.Equal(10, reader.ReconnectionTime);
    }

    [Fact]
    public async Task Reader_CommentHook_SeesKeepAlives()
    {
        var comments = new List<string>();
        await using SseReader reader = SseReader.Create(new MemoryStream(": ping\n\ndata: x\n:\n\n"u8.ToArray()));
        reader.CommentHandler = c => comments.Add(Encoding.UTF8.GetString(c));
        while (await reader.MoveNextAsync())
        {
        }

        Assert.Equal([" ping", ""], comments);
    }

    [Fact]
    public async Task Reader_Current_WithoutAnEvent_Throws_AndAfterDisposeMoveNextThrows()
    {
        var reader = SseReader.Create(new MemoryStream("data: x\n\n"u8.ToArray()));
        Assert.Throws<InvalidOperationException>(() => reader.Current.Data.Length);
        Assert.True(await reader.MoveNextAsync());
        Assert.False(await reader.MoveNextAsync());
        Assert.Throws<InvalidOperationException>(() => reader.Current.Data.Length);
        await reader.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.MoveNextAsync().AsTask());
    }

    [Fact]
    public async Task Reader_DataSliceOfTheInput_StaysValidUntilTheNextMove()
    {
        // Single-line data is handed out as a slice of the pipe's buffer; reading other events
        // from the same buffer must not move or overwrite it before the next MoveNextAsync.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("data: first\n\ndata: second\n\n"u8.ToArray());
        await using var reader = new SseReader(pipe.Reader);
        Assert.True(await reader.MoveNextAsync());
        string first = reader.Current.GetDataString();
        Assert.Equal("first", first);
        Assert.Equal("first", reader.Current.GetDataString());
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal("second", reader.Current.GetDataString());
    }

    [Fact]
    public async Task Reader_AfterAParseFailure_KeepsFailing_ItNeverLooksLikeACleanEnd()
    {
        await using SseReader reader = SseReader.Create(new MemoryStream(": ping\ndata: a\n\ndata: b\n\n"u8.ToArray()));
        reader.CommentHandler = _ => throw new InvalidOperationException("handler failed");
        var first = await Assert.ThrowsAsync<InvalidOperationException>(() => reader.MoveNextAsync().AsTask());
        Assert.Same(first, await Assert.ThrowsAsync<InvalidOperationException>(() => reader.MoveNextAsync().AsTask()));

        await using SseReader limited = SseReader.Create(new MemoryStream(Encoding.ASCII.GetBytes("data: " + new string('x', 100) + "\n\n")), new SseParserOptions { MaxLineLength = 10 });
        var limit = await Assert.ThrowsAsync<SseLimitExceededException>(() => limited.MoveNextAsync().AsTask());
        Assert.Same(limit, await Assert.ThrowsAsync<SseLimitExceededException>(() => limited.MoveNextAsync().AsTask()));
    }

    [Fact]
    public async Task Reconnect_WithTheSameState_CarriesTheLastEventIdAndRetry()
    {
        using var state = new SseParserState();
        await using (var first = new SseReader(PipeReader.Create(new MemoryStream("retry: 2500\nid: 42\ndata: a\n\ndata: cut"u8.ToArray())), state))
        {
            Assert.True(await first.MoveNextAsync());
            Assert.False(await first.MoveNextAsync());
        }

        // The reader did not own the state: it is still usable after the reader is disposed.
        Assert.Equal("42", state.GetLastEventIdString());
        long firstConnection = state.BytesConsumed;
        state.ResetForReconnect();
        await using var second = new SseReader(PipeReader.Create(new MemoryStream("\uFEFFdata: b\n\n"u8.ToArray())), state);
        Assert.True(await second.MoveNextAsync());
        Assert.Equal("b", second.Current.GetDataString());

        // Offsets keep counting across the reconnection; the new stream's BOM is skipped.
        Assert.Equal(firstConnection + 3, second.Current.StreamOffset);
        Assert.Equal("42", second.Current.GetLastEventIdString());
        Assert.Equal(2500, second.Current.ReconnectionTime);
    }

    [Fact]
    public void LastEventIdString_IsCachedWhileTheIdDoesNotChange_NonAsciiToo()
    {
        using var state = new SseParserState();
        var t = new SseTokenizer("id: caf\u00e9\ndata: a\n\ndata: b\n\n"u8, true, state);
        Assert.True(t.TryRead(out _));
        string first = state.GetLastEventIdString();
        Assert.Equal("caf\u00e9", first);
        Assert.True(t.TryRead(out _));
        Assert.Same(first, state.GetLastEventIdString());
    }

    private struct CollectingHandler : ISseHandler
    {
        public List<SseRecord> Events;
        public int Comments;

        public void OnEvent(SseEvent sseEvent) => Events.Add(SseHarness.ToRecord(sseEvent));

        public void OnComment(ReadOnlySpan<byte> comment) => Comments++;
    }

    [Fact]
    public async Task ParseAsync_WithAStructHandler_OverAPipe()
    {
        byte[] input = Fixtures.Read("sse_edge_cases.sse");
        var pipe = new Pipe();
        Task writer = Task.Run(async () =>
        {
            foreach (byte[] chunk in SseHarness.CutAt(input, Enumerable.Range(1, 40).Select(i => i * 37)))
            {
                await pipe.Writer.WriteAsync(chunk);
            }

            await pipe.Writer.CompleteAsync();
        });

        using var state = new SseParserState();
        CollectingHandler handler = await SseParser.ParseAsync(pipe.Reader, new CollectingHandler { Events = [] }, state);
        await writer;
        SseOutcome expected = WhatwgReference.Parse(input);
        Assert.Equal(expected.Events, handler.Events);
        Assert.Equal(2, handler.Comments);
        Assert.Equal("evt-1", state.GetLastEventIdString());
        Assert.Equal(3000, state.ReconnectionTime);
    }

    [Fact]
    public async Task Reader_AtTheEndOfAFinalBlockWithEvents_LeavesNoReadOfTheCallersPipeOutstanding()
    {
        // The writer completed before the first read: the events come in a final block. The
        // reader then reads the pipe once more (an empty, completed result), and must advance
        // past that read too: with leaveOpen the pipe stays the caller's.
        var pipe = new Pipe();
        await Write(pipe.Writer, "data: a\n\ndata: b\n\n");
        await pipe.Writer.CompleteAsync();
        await using var reader = new SseReader(pipe.Reader, (SseParserOptions?)null, leaveOpen: true);
        Assert.True(await reader.MoveNextAsync());
        Assert.True(await reader.MoveNextAsync());
        Assert.False(await reader.MoveNextAsync());

        Assert.True(pipe.Reader.TryRead(out ReadResult rest));
        Assert.True(rest.IsCompleted);
        Assert.Equal(0, rest.Buffer.Length);
        pipe.Reader.AdvanceTo(rest.Buffer.End);
    }

    private sealed class NeverEndingStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
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
