using System.Text;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// A server that stalls without closing, over a real socket, with
/// <see cref="SseParserOptions.IdleTimeout"/>: the stream ends in
/// <see cref="AnthropicStreamInterruptedException"/> (<see cref="AnthropicStreamInterruptedException.IsIdleTimeout"/>)
/// with exactly the message received and the byte offset, the connection is released (the server
/// sees the client go), keep-alives reset the timeout, and the caller's cancellation stays a
/// cancellation. The head of each stream is written in one write with the headers, so the only
/// wait that can time out is the stall itself.
/// </summary>
public class SocketIdleTimeoutTests(LoopbackFixture loopback) : IClassFixture<LoopbackFixture>
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    public enum ReadMode
    {
        MoveNext,
        FinalMessage,
        TextStream,
    }

    public static TheoryData<string, int, ReadMode> Stalls() => new()
    {
        { "tool_use.sse", 9, ReadMode.MoveNext },
        { "extended_thinking.sse", 6, ReadMode.FinalMessage },
        { "web_search_server_tool_use.sse", 12, ReadMode.TextStream },
        { "interleaved_blocks.sse", 7, ReadMode.MoveNext },
    };

    [Theory]
    [MemberData(nameof(Stalls))]
    public async Task ServerStallsForever_IdleTimeout_Interrupted_WithTheExactPartialMessage_AndTheOffset(string fixture, int events, ReadMode mode)
    {
        byte[] head = Bodies.Join(Bodies.SplitEvents(Fixtures.Read(fixture)).Take(events));
        RefMessage expected = RefMessage.FoldBytes(head);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        MessageStream stream = await loopback.OpenAsync(
            async ctx =>
            {
                await SocketFaultTests.WriteHeadAsync(ctx, head);
                await SocketFaultTests.StallUntilAbortedAsync(ctx, aborted);
            },
            options: new SseParserOptions { IdleTimeout = Short });

        var text = new StringBuilder();
        int seen = 0;
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(async () =>
        {
            switch (mode)
            {
                case ReadMode.MoveNext:
                    while (await stream.MoveNextAsync())
                    {
                        seen++;
                    }

                    break;
                case ReadMode.FinalMessage:
                    await stream.GetFinalMessageAsync();
                    break;
                default:
                    await foreach (string delta in stream.GetTextStreamAsync())
                    {
                        text.Append(delta);
                    }

                    break;
            }
        }).WaitAsync(LoopbackFixture.Guard);

        Assert.True(ex.IsIdleTimeout);
        Assert.False(ex.IsCancellation);
        SseIdleTimeoutException timeout = Assert.IsType<SseIdleTimeoutException>(ex.InnerException);
        Assert.Equal(Short, timeout.IdleTimeout);
        Assert.Equal(head.Length, timeout.ByteOffset);
        Assert.Contains("stalled", ex.Message, StringComparison.Ordinal);
        Assert.Equal(MessageStreamOutcome.Interrupted, stream.Outcome);
        RefAssert.Matches(expected, ex.PartialMessage);
        if (mode == ReadMode.MoveNext)
        {
            Assert.Equal(events, seen);
        }
        else if (mode == ReadMode.TextStream)
        {
            Assert.Equal(expected.DeltaText.ToString(), text.ToString());
        }

        // The failure sticks, and disposing releases the connection: the server sees the client go.
        Assert.Same(ex, await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard)));
        await stream.DisposeAsync();
        await aborted.Task.WaitAsync(LoopbackFixture.Guard);
    }

    [Fact]
    public async Task ServerStallsBeforeTheFirstByte_IdleTimeout_AtOffsetZero_WithNoMessage()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using MessageStream stream = await loopback.OpenAsync(
            async ctx =>
            {
                await SocketFaultTests.WriteHeadAsync(ctx, []);
                await SocketFaultTests.StallUntilAbortedAsync(ctx, aborted);
            },
            options: new SseParserOptions { IdleTimeout = Short });
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.True(ex.IsIdleTimeout);
        Assert.Equal(0, Assert.IsType<SseIdleTimeoutException>(ex.InnerException).ByteOffset);
        Assert.Null(ex.PartialMessage);
    }

    [Fact]
    public async Task ServerStallsInsideAUtf8Character_IdleTimeout_TheCutCharacterIsNotInTheText()
    {
        byte[] body = Bodies.NonAscii;
        int cut = body.AsSpan().IndexOf("🎉"u8) + 2;
        Assert.Equal(0x80, body[cut] & 0xC0);
        RefMessage expected = RefMessage.FoldBytes(body[..cut]);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using MessageStream stream = await loopback.OpenAsync(
            async ctx =>
            {
                await SocketFaultTests.WriteHeadAsync(ctx, body[..cut]);
                await SocketFaultTests.StallUntilAbortedAsync(ctx, aborted);
            },
            options: new SseParserOptions { IdleTimeout = Short });
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal(cut, Assert.IsType<SseIdleTimeoutException>(ex.InnerException).ByteOffset);
        RefAssert.Matches(expected, ex.PartialMessage);
        Assert.Equal("Grüße 世界", ex.PartialMessage!.GetText());
    }

    [Fact]
    public async Task KeepAlivesMoreOftenThanTheTimeout_ForLongerThanTheTimeout_NoTimeout_TheMessageCompletes()
    {
        // Comments 40 ms apart for 3 s against a 2 s timeout, then the rest of the stream.
        var timeout = TimeSpan.FromSeconds(2);
        byte[] full = Fixtures.Read("tool_use.sse");
        List<byte[]> events = Bodies.SplitEvents(full);
        byte[] head = Bodies.Join(events.Take(5));
        byte[] tail = Bodies.Join(events.Skip(5));
        await using MessageStream stream = await loopback.OpenAsync(
            async ctx =>
            {
                await SocketFaultTests.WriteHeadAsync(ctx, head);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (clock.Elapsed < timeout * 1.5)
                {
                    await Task.Delay(40, ctx.RequestAborted);
                    await ctx.Response.Body.WriteAsync(": keep-alive\n"u8.ToArray(), ctx.RequestAborted);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                }

                await ctx.Response.Body.WriteAsync(tail, ctx.RequestAborted);
            },
            options: new SseParserOptions { IdleTimeout = timeout });
        int comments = 0;
        stream.SseState.CommentHandler = _ => comments++;
        Message message = await stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard);
        Assert.Equal(MessageStreamOutcome.Completed, stream.Outcome);
        RefAssert.Matches(RefMessage.FoldBytes(full), message);
        Assert.True(comments >= 20, $"{comments} keep-alives");
    }

    [Fact]
    public async Task CancellationOfAStall_WithTheIdleTimeoutOn_IsACancellation_NotATimeout()
    {
        (byte[] head, RefMessage expected) = Head("tool_use_recorded.sse", 8);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using MessageStream stream = await loopback.OpenAsync(
            async ctx =>
            {
                await SocketFaultTests.WriteHeadAsync(ctx, head);
                await SocketFaultTests.StallUntilAbortedAsync(ctx, aborted);
            },
            options: new SseParserOptions { IdleTimeout = TimeSpan.FromMinutes(5) });
        for (int i = 0; i < expected.EventCount; i++)
        {
            Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        }

        using var cts = new CancellationTokenSource(50);
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.MoveNextAsync(cts.Token).AsTask().WaitAsync(LoopbackFixture.Guard));
        Assert.True(ex.IsCancellation);
        Assert.False(ex.IsIdleTimeout);
        RefAssert.Matches(expected, ex.PartialMessage);
    }

    [Fact]
    public async Task SseReaderOverTheResponseBody_StallTimesOut_WithTheOffset()
    {
        // The protocol-agnostic layer on its own: an SseReader over HttpClient's body stream.
        byte[] head = Bodies.Utf8("retry: 1000\nid: 7\ndata: one\n\n: ping\ndata: tw");
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using HttpResponseMessage response = await loopback.SendAsync(async ctx =>
        {
            await SocketFaultTests.WriteHeadAsync(ctx, head);
            await SocketFaultTests.StallUntilAbortedAsync(ctx, aborted);
        });
        await using (SseReader reader = SseReader.Create(await response.Content.ReadAsStreamAsync(), new SseParserOptions { IdleTimeout = Short }))
        {
            Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
            Assert.Equal("one", reader.Current.GetDataString());
            var ex = await Assert.ThrowsAsync<SseIdleTimeoutException>(() => reader.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
            Assert.Equal(head.Length, ex.ByteOffset);
            Assert.Equal("7", reader.State.GetLastEventIdString());
        }

        response.Dispose();
        await aborted.Task.WaitAsync(LoopbackFixture.Guard);
    }

    private static (byte[] Head, RefMessage Expected) Head(string fixture, int events)
    {
        byte[] head = Bodies.Join(Bodies.SplitEvents(Fixtures.Read(fixture)).Take(events));
        return (head, RefMessage.FoldBytes(head));
    }
}
