using System.Text;
using Microsoft.AspNetCore.Http;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Shared;
using Xunit.Abstractions;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// A server that sends a line or an event past the configured limit, and keeps sending (up to
/// 256 MiB): the client stops at the limit with the typed exception and its offset, the
/// connection is released (the server's writes fail long before it is done, the client's pool
/// serves the next request), and the process allocates a bounded amount. Runs alone (the
/// allocation collection) so that the process-wide allocation count is its own.
/// </summary>
[Collection(AllocationCollection.Name)]
public class SocketLimitTests(LoopbackFixture loopback, ITestOutputHelper output) : IClassFixture<LoopbackFixture>
{
    private const int Limit = 64 * 1024;
    private const long Planned = 256L * 1024 * 1024;

    [Theory]
    [InlineData(SseLimit.LineLength)]
    [InlineData(SseLimit.EventSize)]
    public async Task PastALimit_Interrupted_WithTheOffset_TheConnectionIsReleased_AndMemoryIsBounded(SseLimit limit)
    {
        byte[] head = Bodies.Join(Bodies.SplitEvents(Fixtures.Read("tool_use.sse")).Take(6));
        var options = limit == SseLimit.LineLength ? new SseParserOptions { MaxLineLength = Limit } : new SseParserOptions { MaxEventSize = Limit };

        // One endless data line, or endless 1,000-byte data lines with no blank line between.
        byte[] unit = limit == SseLimit.LineLength
            ? Enumerable.Repeat((byte)'x', 64 * 1024).ToArray()
            : Bodies.Utf8(string.Concat(Enumerable.Repeat("data: " + new string('y', 1000) + "\n", 64)));
        byte[] start = limit == SseLimit.LineLength ? Bodies.Utf8("event: content_block_delta\ndata: ") : Bodies.Utf8("event: content_block_delta\n");

        long written = 0;
        var serverDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        RequestDelegate handler = async ctx =>
        {
            // Kestrel discards writes after the client has gone rather than failing them: the
            // server learns it from RequestAborted.
            try
            {
                await SocketFaultTests.WriteHeadAsync(ctx, Bodies.Join([head, start]));
                while (written < Planned && !ctx.RequestAborted.IsCancellationRequested)
                {
                    await ctx.Response.Body.WriteAsync(unit, ctx.RequestAborted);
                    written += unit.Length;

                    // Once the client is gone, writes complete at once; Kestrel signals the abort
                    // from the thread pool, so let it run.
                    await Task.Yield();
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
            }

            serverDone.TrySetResult(ctx.RequestAborted.IsCancellationRequested);
        };

        // What the whole-buffer tokenizer says about the same bytes (LimitTests pin that down).
        byte[] prefix = Bodies.Join([head, start, unit, unit]);
        long expectedOffset = Assert.Throws<SseLimitExceededException>(() => SseHarness.ParseWhole(prefix, options)).ByteOffset;
        if (limit == SseLimit.LineLength)
        {
            Assert.Equal(head.Length + "event: content_block_delta\n".Length + Limit, expectedOffset);
        }

        GC.Collect();
        long allocatedBefore = GC.GetTotalAllocatedBytes(true);
        MessageStream stream = await loopback.OpenAsync(handler, options: options);
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        await stream.DisposeAsync();
        bool clientWentAway = await serverDone.Task.WaitAsync(LoopbackFixture.Guard);
        long allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;

        output.WriteLine($"{limit} limit {Limit} B: the server handed Kestrel {written / 1024.0 / 1024.0:0.0} MiB of {Planned / 1024 / 1024} MiB before it saw the client go; the process allocated {allocated / 1024.0 / 1024.0:0.0} MiB meanwhile");
        SseLimitExceededException inner = Assert.IsType<SseLimitExceededException>(ex.InnerException);
        Assert.Equal(limit, inner.Limit);
        Assert.Equal(Limit, inner.LimitValue);
        Assert.Equal(expectedOffset, inner.ByteOffset);
        Assert.Equal(MessageStreamOutcome.Interrupted, stream.Outcome);
        RefAssert.Matches(RefMessage.FoldBytes(head), ex.PartialMessage);
        Assert.Equal("Okay, let", ex.PartialMessage!.GetText());

        // The server saw the client go, far short of what it meant to send.
        Assert.True(clientWentAway);
        Assert.True(written < 64L * 1024 * 1024, $"the server wrote {written} bytes before the client let go");
        Assert.True(allocated < 32L * 1024 * 1024, $"{allocated} bytes allocated while the server sent {written}");

        // The client's pool serves the next request.
        await using MessageStream next = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, Fixtures.Read("basic_text.sse"), seed: 31, maxDelayMs: 0));
        Assert.Equal("Hello!", (await next.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard)).GetText());
    }

    [Fact]
    public async Task SseReaderOverTheResponseBody_PastTheLineLimit_ThrowsTheLimit_AndKeepsThrowingIt()
    {
        var options = new SseParserOptions { MaxLineLength = 1000 };
        byte[] body = Encoding.ASCII.GetBytes("data: ok\n\n: " + new string('c', 5000) + "\ndata: never\n\n");
        using HttpResponseMessage response = await loopback.SendAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 32, maxChunk: 300, maxDelayMs: 0));
        await using SseReader reader = SseReader.Create(await response.Content.ReadAsStreamAsync(), options);
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        var ex = await Assert.ThrowsAsync<SseLimitExceededException>(() => reader.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal(10 + 1000, ex.ByteOffset);
        Assert.Same(ex, await Assert.ThrowsAsync<SseLimitExceededException>(() => reader.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard)));
    }
}
