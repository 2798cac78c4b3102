using System.Text;
using Microsoft.AspNetCore.Http;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Shared;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// How a stream ends over a real socket, other than well: a clean end without
/// <c>message_stop</c> (truncated), an <c>error</c> event, an HTTP error status, a response that
/// is not an event stream.
/// </summary>
public class SocketEndingTests(LoopbackFixture loopback) : IClassFixture<LoopbackFixture>
{
    public static TheoryData<string> TruncatableFixtures() => new() { "basic_text.sse", "tool_use.sse", "extended_thinking.sse", "web_search_server_tool_use.sse" };

    /// <summary>The fixture up to (not including) <c>message_stop</c>, and its fold.</summary>
    private static (byte[] Body, RefMessage Expected) WithoutMessageStop(string fixture)
    {
        byte[] full = Fixtures.Read(fixture);
        byte[] body = full[..Bodies.IndexOf(full, "event: message_stop")];
        RefMessage expected = RefMessage.FoldBytes(body);
        Assert.False(expected.Complete);
        Assert.NotNull(expected.StopReason);
        return (body, expected);
    }

    [Theory]
    [MemberData(nameof(TruncatableFixtures))]
    public async Task CleanEndAfterMessageDelta_GetFinalMessage_ThrowsTruncated_WithStopReasonAndUsage(string fixture)
    {
        (byte[] body, RefMessage expected) = WithoutMessageStop(fixture);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 11, maxChunk: 50, maxDelayMs: 1));
        var ex = await Assert.ThrowsAsync<AnthropicStreamTruncatedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal(MessageStreamOutcome.Truncated, stream.Outcome);
        RefAssert.Matches(expected, ex.PartialMessage);
        Assert.Equal(expected.StopReason, ex.PartialMessage!.StopReason?.Value);
        Assert.Equal(expected.OutputTokens, ex.PartialMessage.Usage.OutputTokens);
    }

    [Theory]
    [MemberData(nameof(TruncatableFixtures))]
    public async Task CleanEndAfterMessageDelta_MoveNextReturnsFalse_OutcomeTruncated(string fixture)
    {
        (byte[] body, RefMessage expected) = WithoutMessageStop(fixture);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 12, maxChunk: 50, maxDelayMs: 1));
        int events = 0;
        while (await stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard))
        {
            events++;
        }

        Assert.Equal(expected.EventCount, events);
        Assert.Equal(MessageStreamOutcome.Truncated, stream.Outcome);
        Assert.False(stream.IsComplete);
        Assert.False(await stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        RefAssert.Matches(expected, stream.GetCurrentMessage());
    }

    [Theory]
    [MemberData(nameof(TruncatableFixtures))]
    public async Task CleanEndAfterMessageDelta_TextStream_ThrowsTruncatedAtTheEnd(string fixture)
    {
        (byte[] body, RefMessage expected) = WithoutMessageStop(fixture);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 13, maxChunk: 50, maxDelayMs: 1));
        var text = new StringBuilder();
        var ex = await Assert.ThrowsAsync<AnthropicStreamTruncatedException>(async () =>
        {
            await foreach (string delta in stream.GetTextStreamAsync())
            {
                text.Append(delta);
            }
        }).WaitAsync(LoopbackFixture.Guard);
        Assert.Equal(expected.DeltaText.ToString(), text.ToString());
        RefAssert.Matches(expected, ex.PartialMessage);
    }

    [Fact]
    public async Task CleanEndInsideADataLine_IsTruncated_NotInterrupted_AndDropsTheIncompleteEvent()
    {
        byte[] full = Fixtures.Read("tool_use.sse");
        int cut = Bodies.IndexOf(full, "\"text\":\" Francisco\"") + 10;
        byte[] body = full[..cut];
        RefMessage expected = RefMessage.FoldBytes(body);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 14, maxChunk: 50, maxDelayMs: 1));
        var ex = await Assert.ThrowsAsync<AnthropicStreamTruncatedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        RefAssert.Matches(expected, ex.PartialMessage);
        Assert.Equal("Okay, let's check the weather for San", ex.PartialMessage!.GetText());
    }

    [Fact]
    public async Task ErrorEventMidStream_ThrowsApiException_WithThePartialMessage()
    {
        List<byte[]> events = Bodies.SplitEvents(Fixtures.Read("tool_use.sse"));

        // message_start, content_block_start, ping, "Okay", ",", " let", then the error, then the
        // rest of the stream, which must not be read into the message.
        byte[] body = Bodies.Join(events.Take(6).Append(Bodies.ErrorEvent("req_mid")).Concat(events.Skip(6)));
        RefMessage expected = RefMessage.FoldBytes(body);
        Assert.True(expected.SawError);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 15, maxChunk: 50, maxDelayMs: 1));
        var text = new StringBuilder();
        var ex = await Assert.ThrowsAsync<AnthropicApiException>(async () =>
        {
            await foreach (string delta in stream.GetTextStreamAsync())
            {
                text.Append(delta);
            }
        }).WaitAsync(LoopbackFixture.Guard);
        Assert.Equal(ErrorTypeKind.OverloadedError, ex.ErrorType.Kind);
        Assert.Equal("Overloaded", ex.ErrorMessage);
        Assert.Equal("req_mid", ex.RequestId);
        Assert.Equal(200, ex.StatusCode);
        Assert.Equal(MessageStreamOutcome.ApiError, stream.Outcome);
        Assert.Equal("Okay, let", text.ToString());
        RefAssert.Matches(expected, ex.PartialMessage);
        Assert.Equal("Okay, let", ex.PartialMessage!.GetText());

        // A failed stream keeps failing, with the same exception.
        Assert.Same(ex, await Assert.ThrowsAsync<AnthropicApiException>(() => stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard)));
    }

    [Fact]
    public async Task ErrorEventFirst_ThrowsApiException_WithNoPartialMessage()
    {
        byte[] body = Bodies.Join([Bodies.ErrorEvent("req_first"), Fixtures.Read("basic_text.sse")]);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 16, maxChunk: 20, maxDelayMs: 1));
        var ex = await Assert.ThrowsAsync<AnthropicApiException>(() => stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal(ErrorTypeKind.OverloadedError, ex.ErrorType.Kind);
        Assert.Equal("overloaded_error", ex.ErrorType.Value);
        Assert.Equal("Overloaded", ex.ErrorMessage);
        Assert.Equal("req_first", ex.RequestId);
        Assert.Null(ex.PartialMessage);
        Assert.Equal(MessageStreamOutcome.ApiError, stream.Outcome);
    }

    [Fact]
    public async Task AfterAnErrorEvent_GetFinalMessage_DoesNotPassThePartialMessageOffAsFinal()
    {
        List<byte[]> events = Bodies.SplitEvents(Fixtures.Read("basic_text.sse"));
        byte[] body = Bodies.Join(events.Take(4).Append(Bodies.ErrorEvent("req_mid")));
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 17, maxChunk: 50, maxDelayMs: 1));
        var first = await Assert.ThrowsAsync<AnthropicApiException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal("Hello", first.PartialMessage!.GetText());

        // The API said the message failed: asking again must not turn "Hello" into a final answer.
        var again = await Assert.ThrowsAnyAsync<AnthropicException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal("Hello", again.PartialMessage!.GetText());
    }

    [Fact]
    public async Task MalformedEventMidStream_ThrowsProtocolException_WithThePartialMessage()
    {
        List<byte[]> events = Bodies.SplitEvents(Fixtures.Read("tool_use.sse"));
        byte[] bad = Bodies.Utf8("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"\n\n");
        byte[] body = Bodies.Join(events.Take(5).Append(bad).Concat(events.Skip(5)));
        RefMessage expected = RefMessage.Fold(RefMessage.Frame(Bodies.Join(events.Take(5))));
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 18, maxChunk: 50, maxDelayMs: 1));
        var ex = await Assert.ThrowsAsync<AnthropicProtocolException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal("content_block_delta", ex.EventType);
        Assert.Equal(6, ex.EventNumber);
        Assert.Equal(MessageStreamOutcome.ProtocolError, stream.Outcome);
        RefAssert.Matches(expected, ex.PartialMessage);
        Assert.Equal("Okay,", ex.PartialMessage!.GetText());
    }

    [Theory]
    [InlineData(529)]
    [InlineData(500)]
    public async Task HttpErrorStatus_WithAnAnthropicErrorBody_ThrowsApiException(int status)
    {
        var ex = await Assert.ThrowsAsync<AnthropicApiException>(() =>
            loopback.OpenAsync(ctx => LoopbackSseServer.ServeErrorAsync(ctx, status, Bodies.OverloadedErrorJson)));
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(ErrorTypeKind.OverloadedError, ex.ErrorType.Kind);
        Assert.Equal("Overloaded", ex.ErrorMessage);
        Assert.Equal("req_x", ex.RequestId);
        Assert.Null(ex.PartialMessage);
    }

    [Fact]
    public async Task HttpErrorStatus_WithANonJsonBody_ThrowsApiException()
    {
        var ex = await Assert.ThrowsAsync<AnthropicApiException>(() => loopback.OpenAsync(async ctx =>
        {
            ctx.Response.StatusCode = 502;
            ctx.Response.ContentType = "text/html";
            ctx.Response.Headers["request-id"] = "req_gateway";
            await ctx.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>");
        }));
        Assert.Equal(502, ex.StatusCode);
        Assert.Equal("req_gateway", ex.RequestId);
        Assert.Contains("502 Bad Gateway", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(ex.PartialMessage);
    }

    [Fact]
    public async Task Http200_WithJson_ThrowsUnexpectedContentType_WithTheBody()
    {
        var ex = await Assert.ThrowsAsync<AnthropicUnexpectedContentTypeException>(() => loopback.OpenAsync(async ctx =>
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[]}");
        }));
        Assert.Contains("application/json", ex.Message, StringComparison.Ordinal);
        Assert.Equal(200, ex.StatusCode);
        Assert.Equal("application/json", ex.ContentType);
        Assert.Equal("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[]}", ex.BodyExcerpt);
        Assert.Null(ex.PartialMessage);
    }
}
