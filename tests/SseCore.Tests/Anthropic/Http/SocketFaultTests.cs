using System.Text;
using Microsoft.AspNetCore.Http;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Shared;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// A misbehaving server over a real socket, beyond what <see cref="SocketInterruptionTests"/> and
/// <see cref="SocketEndingTests"/> cover: a close at a line boundary inside an event or between
/// events, a reset after <c>message_delta</c>, garbage bytes, a success that is not an event
/// stream, a body trickled one byte at a time, keep-alives only. Each ends in a typed outcome with
/// exactly the message of the events fully received (<see cref="RefMessage"/> folds the bytes
/// sent).
/// </summary>
public class SocketFaultTests(LoopbackFixture loopback) : IClassFixture<LoopbackFixture>
{
    /// <summary>Where a connection reset lands relative to one event of tool_use.sse.</summary>
    public enum EventCut
    {
        /// <summary>After the <c>event:</c> line: the event has a type and no data.</summary>
        AfterEventLine,

        /// <summary>After the <c>data:</c> line's LF, before the blank line: the event is not dispatched.</summary>
        BeforeBlankLine,

        /// <summary>Right after the blank line: the event is whole, the next has not begun.</summary>
        BetweenEvents,
    }

    public static TheoryData<int, EventCut> EventBoundaryCuts()
    {
        var data = new TheoryData<int, EventCut>();

        // message_start, a text delta, the tool's content_block_start, an input_json_delta.
        foreach (int ev in new[] { 0, 4, 17, 19 })
        {
            foreach (EventCut cut in Enum.GetValues<EventCut>())
            {
                data.Add(ev, cut);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EventBoundaryCuts))]
    public async Task ResetAtALineBoundaryInsideOrBetweenEvents_Interrupted_WithExactlyTheDispatchedEvents(int eventIndex, EventCut where)
    {
        byte[] body = Fixtures.Read("tool_use.sse");
        List<byte[]> events = Bodies.SplitEvents(body);
        int start = events.Take(eventIndex).Sum(e => e.Length);
        byte[] ev = events[eventIndex];
        int cut = where switch
        {
            EventCut.AfterEventLine => start + Array.IndexOf(ev, (byte)'\n') + 1,
            EventCut.BeforeBlankLine => start + ev.Length - 1,
            _ => start + ev.Length,
        };

        RefMessage expected = RefMessage.FoldBytes(body[..cut]);
        Assert.Equal(where == EventCut.BetweenEvents ? eventIndex + 1 : eventIndex, expected.EventCount);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenAbortAsync(ctx, body, cut, seed: cut));
        int seen = 0;
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(async () =>
        {
            while (await stream.MoveNextAsync())
            {
                seen++;
            }
        }).WaitAsync(LoopbackFixture.Guard);

        Assert.Equal(expected.EventCount, seen);
        Assert.False(ex.IsCancellation);
        Assert.False(ex.IsIdleTimeout);
        Assert.True(ex.InnerException is IOException or HttpRequestException, $"cause: {ex.InnerException}");
        Assert.Equal(MessageStreamOutcome.Interrupted, stream.Outcome);
        if (expected.Started)
        {
            RefAssert.Matches(expected, ex.PartialMessage);
        }
        else
        {
            Assert.Null(ex.PartialMessage);
        }
    }

    [Theory]
    [InlineData("tool_use.sse")]
    [InlineData("extended_thinking.sse")]
    public async Task ResetAfterMessageDelta_WithoutMessageStop_Interrupted_WithStopReasonAndUsage(string fixture)
    {
        byte[] full = Fixtures.Read(fixture);
        int cut = Bodies.IndexOf(full, "event: message_stop");
        RefMessage expected = RefMessage.FoldBytes(full[..cut]);
        Assert.NotNull(expected.StopReason);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenAbortAsync(ctx, full, cut, seed: 21));
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));

        // Not Truncated: the connection broke, it did not end.
        Assert.Equal(MessageStreamOutcome.Interrupted, stream.Outcome);
        RefAssert.Matches(expected, ex.PartialMessage);
        Assert.Equal(expected.StopReason, ex.PartialMessage!.StopReason?.Value);
        Assert.Equal(expected.OutputTokens, ex.PartialMessage.Usage.OutputTokens);
    }

    [Fact]
    public async Task CleanEndBeforeAnEventsBlankLine_Truncated_AndThatEventIsDropped()
    {
        byte[] full = Fixtures.Read("tool_use.sse");
        List<byte[]> events = Bodies.SplitEvents(full);

        // Up to the LF of the 6th event's data line: the text delta " let" never gets its blank line.
        int cut = events.Take(6).Sum(e => e.Length) - 1;
        RefMessage expected = RefMessage.FoldBytes(full[..cut]);
        Assert.Equal(5, expected.EventCount);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, full[..cut], seed: 22, maxChunk: 30, maxDelayMs: 1));
        var ex = await Assert.ThrowsAsync<AnthropicStreamTruncatedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal(MessageStreamOutcome.Truncated, stream.Outcome);
        RefAssert.Matches(expected, ex.PartialMessage);
        Assert.Equal("Okay,", ex.PartialMessage!.GetText());
    }

    [Fact]
    public async Task GarbageLinesBetweenEvents_AreIgnoredAsTheSpecSays_TheMessageIsExact()
    {
        // Binary junk, NULs, invalid UTF-8, lone CRs, colon-less lines and binary comments between
        // whole events: unknown fields and comments to SSE, so nothing changes.
        byte[] original = Fixtures.Read("tool_use_recorded.sse");
        var random = new Random(23);
        var parts = new List<byte[]>();
        foreach (byte[] ev in Bodies.SplitEvents(original))
        {
            parts.Add(ev);
            parts.Add(Garbage(random, lines: random.Next(1, 4)));
        }

        byte[] body = Bodies.Join(parts);
        RefMessage expected = RefMessage.FoldBytes(body);
        RefMessage clean = RefMessage.FoldBytes(original);
        Assert.Equal(clean.EventCount, expected.EventCount);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 23, maxChunk: 64, maxDelayMs: 1));
        Message message = await stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard);
        RefAssert.Matches(expected, message);
        RefAssert.Matches(clean, message);
        Assert.Equal(expected.EventCount, stream.SseState.EventsDispatched);
    }

    [Fact]
    public async Task OnlyGarbage_ThenACleanEnd_Truncated_WithNoMessage()
    {
        byte[] body = Garbage(new Random(24), lines: 40);
        Assert.Empty(RefMessage.Frame(body));
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 24, maxChunk: 64, maxDelayMs: 1));
        Assert.False(await stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal(MessageStreamOutcome.Truncated, stream.Outcome);
        Assert.False(stream.HasStarted);
        var ex = await Assert.ThrowsAsync<AnthropicStreamTruncatedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Null(ex.PartialMessage);
    }

    [Fact]
    public async Task GarbageWithoutALineEnd_HitsTheLineLimit_Interrupted_WithTheOffsetAndThePartialMessage()
    {
        byte[] head = Bodies.Join(Bodies.SplitEvents(Fixtures.Read("basic_text.sse")).Take(4));
        byte[] junk = new byte[256 * 1024];
        new Random(25).NextBytes(junk);
        for (int i = 0; i < junk.Length; i++)
        {
            if (junk[i] is (byte)'\r' or (byte)'\n')
            {
                junk[i] = 0xFF;
            }
        }

        byte[] body = Bodies.Join([head, junk]);
        var options = new SseParserOptions { MaxLineLength = 4096 };
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 25, minChunk: 500, maxChunk: 3000, maxDelayMs: 0), options: options);
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        SseLimitExceededException limit = Assert.IsType<SseLimitExceededException>(ex.InnerException);
        Assert.Equal(SseLimit.LineLength, limit.Limit);
        Assert.Equal(head.Length + 4096, limit.ByteOffset);
        Assert.Contains("exceeded a limit", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Hello", ex.PartialMessage!.GetText());
        RefAssert.Matches(RefMessage.FoldBytes(head), ex.PartialMessage);
    }

    [Fact]
    public async Task Http200_TextHtml_ThrowsUnexpectedContentType_WithABoundedExcerpt()
    {
        string page = "<html><body>" + string.Concat(Enumerable.Repeat("Please sign in. ", 6000)) + "</body></html>";
        var ex = await Assert.ThrowsAsync<AnthropicUnexpectedContentTypeException>(() => loopback.OpenAsync(async ctx =>
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "text/html; charset=utf-8";
            await ctx.Response.WriteAsync(page);
        }));
        Assert.Equal(200, ex.StatusCode);
        Assert.Equal("text/html; charset=utf-8", ex.ContentType);
        Assert.Equal(1000, ex.BodyExcerpt.Length);
        Assert.Equal(page[..1000], ex.BodyExcerpt);
        Assert.StartsWith("Expected a text/event-stream response, got 'text/html; charset=utf-8' (HTTP 200).", ex.Message, StringComparison.Ordinal);
        Assert.Contains("<html><body>Please sign in.", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 500);
        Assert.Null(ex.PartialMessage);
    }

    [Fact]
    public async Task Http200_WithoutAContentType_ThrowsUnexpectedContentType_EvenIfTheBodyIsAnEventStream()
    {
        byte[] body = Fixtures.Read("basic_text.sse");
        var ex = await Assert.ThrowsAsync<AnthropicUnexpectedContentTypeException>(() => loopback.OpenAsync(async ctx =>
        {
            ctx.Response.StatusCode = 200;
            await ctx.Response.Body.WriteAsync(body);
        }));
        Assert.Null(ex.ContentType);
        Assert.Contains("no content type", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("event: message_start", ex.BodyExcerpt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http200_TextHtml_ThatStalls_WithAnIdleTimeout_ThrowsWithWhatArrived_NoHang()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ex = await Assert.ThrowsAsync<AnthropicUnexpectedContentTypeException>(() => loopback.OpenAsync(
            async ctx =>
            {
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "text/html";
                await ctx.Response.WriteAsync("<html><body>Gateway warming up");
                await StallUntilAbortedAsync(ctx, aborted);
            },
            options: new SseParserOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal("<html><body>Gateway warming up", ex.BodyExcerpt);
        await aborted.Task.WaitAsync(LoopbackFixture.Guard);
    }

    [Fact]
    public async Task HttpErrorStatus_WhoseBodyStalls_WithAnIdleTimeout_ThrowsApiError_WithWhatArrived_NoHang()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ex = await Assert.ThrowsAsync<AnthropicApiException>(() => loopback.OpenAsync(
            async ctx =>
            {
                ctx.Response.StatusCode = 529;
                ctx.Response.ContentType = "application/json";
                ctx.Response.Headers["request-id"] = "req_stalled";
                await ctx.Response.WriteAsync("{\"type\":\"error\",\"error\":{\"type\":\"overl");
                await StallUntilAbortedAsync(ctx, aborted);
            },
            options: new SseParserOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(529, ex.StatusCode);
        Assert.Equal(ErrorTypeKind.OverloadedError, ex.ErrorType.Kind);
        Assert.Equal("req_stalled", ex.RequestId);
        Assert.Equal("HTTP 529: {\"type\":\"error\",\"error\":{\"type\":\"overl", ex.ErrorMessage);
        await aborted.Task.WaitAsync(LoopbackFixture.Guard);
    }

    [Theory]
    [InlineData("tool_use_recorded.sse")]
    [InlineData("web_search_server_tool_use.sse")]
    public async Task OneBytePerWrite_WithTheIdleTimeoutOn_GivesTheExactMessage(string fixture)
    {
        // Every byte flushed alone (its own HTTP chunk), including inside UTF-8 characters, CRLFs
        // and the "data:" prefix; each byte resets the idle timeout.
        byte[] body = Fixtures.Read(fixture);
        RefMessage expected = RefMessage.FoldBytes(body);
        await using MessageStream stream = await loopback.OpenAsync(
            ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 26, minChunk: 1, maxChunk: 1, maxDelayMs: 0),
            options: new SseParserOptions { IdleTimeout = TimeSpan.FromSeconds(10) });
        var text = new StringBuilder();
        await foreach (string delta in stream.GetTextStreamAsync().WithCancellation(CancellationToken.None))
        {
            text.Append(delta);
        }

        Assert.Equal(expected.DeltaText.ToString(), text.ToString());
        Assert.Equal(MessageStreamOutcome.Completed, stream.Outcome);
        RefAssert.Matches(expected, stream.GetCurrentMessage());
    }

    [Fact]
    public async Task OnlyComments_ThenACleanEnd_Truncated_WithNoMessage()
    {
        byte[] body = Bodies.Utf8(string.Concat(Enumerable.Range(0, 50).Select(i => $": keep-alive {i}\n")) + "\n\n:\n");
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 27, maxChunk: 20, maxDelayMs: 1));
        int comments = 0;
        stream.SseState.CommentHandler = _ => comments++;
        var ex = await Assert.ThrowsAsync<AnthropicStreamTruncatedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Null(ex.PartialMessage);
        Assert.Equal(51, comments);
        Assert.Equal(0, stream.SseState.EventsDispatched);
        Assert.Equal(MessageStreamOutcome.Truncated, stream.Outcome);
    }

    [Fact]
    public async Task OnlyPings_ThenACleanEnd_EachPingVisible_ThenTruncated_WithNoMessage()
    {
        byte[] body = Bodies.Utf8(string.Concat(Enumerable.Repeat("event: ping\ndata: {\"type\": \"ping\"}\n\n", 7)));
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 28, maxChunk: 20, maxDelayMs: 1));
        int pings = 0;
        while (await stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard))
        {
            Assert.Equal(AnthropicEventKind.Ping, stream.CurrentKind);
            pings++;
        }

        Assert.Equal(7, pings);
        Assert.Equal(MessageStreamOutcome.Truncated, stream.Outcome);
        var ex = await Assert.ThrowsAsync<AnthropicStreamTruncatedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Null(ex.PartialMessage);
    }

    [Fact]
    public async Task KeepAlivesForever_IdleTimeoutOff_CancellationEndsIt_WithThePartialMessage()
    {
        // A content-silent stream that stays "alive": no idle timeout can end it (the bytes keep
        // coming), so the caller's cancellation is the bound.
        byte[] head = Bodies.Join(Bodies.SplitEvents(Fixtures.Read("basic_text.sse")).Take(4));
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using MessageStream stream = await loopback.OpenAsync(async ctx =>
        {
            await WriteHeadAsync(ctx, head);
            try
            {
                while (true)
                {
                    await Task.Delay(20, ctx.RequestAborted);
                    await ctx.Response.WriteAsync(": keep-alive\n", ctx.RequestAborted);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                aborted.TrySetResult();
            }
        });

        int comments = 0;
        stream.SseState.CommentHandler = _ => Interlocked.Increment(ref comments);
        using var cts = new CancellationTokenSource();
        Task<Message> final = stream.GetFinalMessageAsync(cts.Token);
        while (Volatile.Read(ref comments) < 5)
        {
            await Task.Delay(10);
            Assert.False(final.IsCompleted);
        }

        cts.Cancel();
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => final.WaitAsync(LoopbackFixture.Guard));
        Assert.True(ex.IsCancellation);
        Assert.Equal("Hello", ex.PartialMessage!.GetText());
        await stream.DisposeAsync();
        await aborted.Task.WaitAsync(LoopbackFixture.Guard);
    }

    /// <summary>Lines of bytes that spell no field the protocol knows: no letters, no LF inside a line.</summary>
    internal static byte[] Garbage(Random random, int lines)
    {
        var bytes = new List<byte>();
        for (int l = 0; l < lines; l++)
        {
            int kind = random.Next(4);
            if (kind == 0)
            {
                bytes.Add((byte)':');
            }

            int n = random.Next(1, 60);
            for (int i = 0; i < n; i++)
            {
                // Control bytes, NUL, and 0x80-0xFF (invalid or partial UTF-8); never CR or LF.
                int b = random.Next(2) == 0 ? random.Next(0, 32) : random.Next(0x80, 0x100);
                bytes.Add(b is '\r' or '\n' ? (byte)0 : (byte)b);
            }

            bytes.AddRange(kind == 1 ? "\r"u8.ToArray() : kind == 2 ? "\r\n"u8.ToArray() : "\n"u8.ToArray());
        }

        // A blank line: whatever the junk started, it is dispatched (as nothing) before the next event.
        bytes.Add((byte)'\n');
        return bytes.ToArray();
    }

    /// <summary>Headers and <paramref name="head"/> in one write, so they arrive together.</summary>
    internal static async Task WriteHeadAsync(HttpContext ctx, byte[] head)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        await ctx.Response.Body.WriteAsync(head);
        await ctx.Response.Body.FlushAsync();
    }

    /// <summary>Writes nothing more until the client goes away (bounded by the guard), then signals it.</summary>
    internal static async Task StallUntilAbortedAsync(HttpContext ctx, TaskCompletionSource aborted)
    {
        try
        {
            await Task.Delay(LoopbackFixture.Guard, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            aborted.TrySetResult();
        }
    }
}
