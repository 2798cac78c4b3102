using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Shared;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// Whether to retry is a property of every exception, asserted over a real socket: each API error
/// type and HTTP status, with and without <c>retry-after</c>, as the first event and mid-stream;
/// connections cut before and after the first byte; what was received so far.
/// </summary>
public class RetryClassificationTests(LoopbackFixture loopback) : IClassFixture<LoopbackFixture>
{
    private const string TextHead =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";

    private const string TwoDeltas =
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\", world\"}}\n\n";

    private const string Tail =
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":4}}\n\n" +
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    /// <summary>How the error response says when to come back.</summary>
    public enum RetryAfterHeader
    {
        None,
        Seconds,
        HttpDate,
        Milliseconds,
    }

    public static TheoryData<int, string?, bool, RetryAfterHeader> Statuses()
    {
        var data = new TheoryData<int, string?, bool, RetryAfterHeader>();
        (int Status, string? Type, bool Retryable)[] cases =
        [
            (400, "invalid_request_error", false), (401, "authentication_error", false), (403, "permission_error", false),
            (404, "not_found_error", false), (413, "request_too_large", false), (429, "rate_limit_error", true),
            (500, "api_error", true), (502, null, true), (503, null, true), (504, "timeout_error", true), (529, "overloaded_error", true),
        ];
        int n = 0;
        foreach ((int status, string? type, bool retryable) in cases)
        {
            data.Add(status, type, retryable, RetryAfterHeader.None);
            data.Add(status, type, retryable, (RetryAfterHeader)(1 + (n++ % 3)));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public async Task ErrorStatus_IsClassified_WithItsHeaders(int status, string? type, bool retryable, RetryAfterHeader header)
    {
        DateTimeOffset sent = DateTimeOffset.UtcNow;
        var ex = await Assert.ThrowsAsync<AnthropicApiException>(() => loopback.OpenAsync(async ctx =>
        {
            SetRetryAfter(ctx, header, sent);
            ctx.Response.Headers["request-id"] = "req_from_header";
            ctx.Response.StatusCode = status;
            if (type is null)
            {
                // What a proxy in front of the API sends: HTML, no error body.
                ctx.Response.ContentType = "text/html";
                await ctx.Response.WriteAsync("<html><body>Bad gateway</body></html>");
            }
            else
            {
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"m\"}}");
            }
        }));

        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(retryable, ex.IsRetryable);
        Assert.Equal("req_from_header", ex.RequestId);
        Assert.False(ex.HasReceivedOutput);
        Assert.Null(ex.PartialMessage);
        AssertRetryAfter(header, ex.RetryAfter);
    }

    [Theory]
    [InlineData(500, "false", false)]
    [InlineData(529, "false", false)]
    [InlineData(400, "true", true)]
    [InlineData(409, null, true)]
    [InlineData(408, null, true)]
    [InlineData(402, null, false)]
    public async Task XShouldRetry_DecidesWhenPresent(int status, string? shouldRetry, bool retryable)
    {
        var ex = await Assert.ThrowsAsync<AnthropicApiException>(() => loopback.OpenAsync(async ctx =>
        {
            if (shouldRetry is not null)
            {
                ctx.Response.Headers["x-should-retry"] = shouldRetry;
            }

            await LoopbackSseServerError(ctx, status);
        }));
        Assert.Equal(retryable, ex.IsRetryable);
        Assert.Equal(shouldRetry is null ? null : bool.Parse(shouldRetry), ex.ShouldRetry);
    }

    public static TheoryData<string, bool, bool> ErrorEvents()
    {
        var data = new TheoryData<string, bool, bool>();
        (string Type, bool Retryable)[] types =
        [
            ("overloaded_error", true), ("api_error", true), ("rate_limit_error", true), ("timeout_error", true),
            ("invalid_request_error", false), ("authentication_error", false), ("permission_error", false),
            ("not_found_error", false), ("request_too_large", false), ("billing_error", false), ("some_future_error", false),
        ];
        foreach ((string type, bool retryable) in types)
        {
            data.Add(type, retryable, false);
            data.Add(type, retryable, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ErrorEvents))]
    public async Task ErrorEvent_FirstOrMidStream_IsClassified_WithWhatWasReceived(string type, bool retryable, bool midStream)
    {
        string body = (midStream ? TextHead + TwoDeltas : string.Empty) +
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"m\"}}\n\n";
        await using MessageStream stream = await loopback.OpenAsync(ctx =>
        {
            ctx.Response.Headers["x-should-retry"] = "false"; // a 200's header: says nothing about an error event inside it
            return LoopbackSseServer.ServeChunkedAsync(ctx, Encoding.UTF8.GetBytes(body), seed: type.Length);
        });

        var ex = await Assert.ThrowsAsync<AnthropicApiException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal(200, ex.StatusCode);
        Assert.Equal(type, ex.ErrorType.Value);
        Assert.Equal(retryable, ex.IsRetryable);
        Assert.Equal("req_loopback", ex.RequestId); // the 200 response's request-id header
        Assert.Null(ex.RetryAfter);
        Assert.Equal(midStream, ex.HasReceivedOutput);
        if (midStream)
        {
            Assert.Equal("Hello, world", ex.PartialMessage!.GetText());
        }
        else
        {
            Assert.Null(ex.PartialMessage);
        }
    }

    [Fact]
    public async Task ErrorEvent_RequestIdInTheBody_WinsOverTheHeader()
    {
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, Bodies.ErrorEvent("req_body"), seed: 1));
        var ex = await Assert.ThrowsAsync<AnthropicApiException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal("req_body", ex.RequestId);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task ConnectionCutBeforeTheFirstByte_IsRetryable_NothingReceived()
    {
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => loopback.OpenAsync(ctx =>
        {
            ctx.Abort();
            return Task.CompletedTask;
        }));
        Assert.True(ex.IsRetryable);
        Assert.False(ex.IsCancellation);
        Assert.False(ex.HasReceivedOutput);
        Assert.Null(ex.PartialMessage);
        Assert.Null(ex.RequestId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConnectionCutAfterTheFirstByte_IsRetryable_WithWhatWasReceived(bool afterOutput)
    {
        byte[] body = Encoding.UTF8.GetBytes(TextHead + TwoDeltas + Tail);
        int cut = afterOutput ? Bodies.IndexOf(body, "\", world") : Bodies.IndexOf(body, "content_block_start") + 30;
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenAbortAsync(ctx, body, cut, seed: 3));

        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.True(ex.IsRetryable);
        Assert.Equal(afterOutput, ex.HasReceivedOutput);
        Assert.Equal("req_loopback", ex.RequestId);
        Assert.Equal(afterOutput ? "Hello" : string.Empty, ex.PartialMessage!.GetText());
    }

    [Fact]
    public async Task CleanEndBeforeMessageStop_IsRetryable_WithThePartialText()
    {
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, Encoding.UTF8.GetBytes(TextHead + TwoDeltas), seed: 5));
        var ex = await Assert.ThrowsAsync<AnthropicStreamTruncatedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.True(ex.IsRetryable);
        Assert.True(ex.HasReceivedOutput);
        Assert.Equal("Hello, world", ex.PartialMessage!.GetText());
    }

    [Fact]
    public async Task CallersCancellation_IsNotRetryable()
    {
        byte[] head = Encoding.UTF8.GetBytes(TextHead + TwoDeltas);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenStallAsync(ctx, head, seed: 6));
        using var cts = new CancellationTokenSource();
        while (await stream.MoveNextTextAsync().AsTask().WaitAsync(LoopbackFixture.Guard) && Bodies.CurrentText(stream) != ", world")
        {
        }

        cts.Cancel();
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync(cts.Token).WaitAsync(LoopbackFixture.Guard));
        Assert.True(ex.IsCancellation);
        Assert.False(ex.IsRetryable);
        Assert.True(ex.HasReceivedOutput);
    }

    [Fact]
    public async Task ResponseOverALimit_IsNotRetryable()
    {
        byte[] body = Encoding.UTF8.GetBytes(TextHead + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + new string('x', 5000) + "\"}}\n\n" + Tail);
        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 7));
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = LoopbackFixture.Guard };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages") { Content = new StringContent("{\"stream\":true}") };
        await using MessageStream stream = await client.SendMessageStreamAsync(request, new SseParserOptions { MaxLineLength = 1024 });
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.IsType<SseLimitExceededException>(ex.InnerException);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task ProtocolError_And_NotAnEventStream_AreNotRetryable()
    {
        await using (MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, Encoding.UTF8.GetBytes(TextHead + "event: content_block_delta\ndata: {\"index\":\"zero\"}\n\n"), seed: 8)))
        {
            var protocol = await Assert.ThrowsAsync<AnthropicProtocolException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
            Assert.False(protocol.IsRetryable);
        }

        var notSse = await Assert.ThrowsAsync<AnthropicUnexpectedContentTypeException>(() => loopback.OpenAsync(async ctx =>
        {
            ctx.Response.Headers["request-id"] = "req_json";
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"id\":\"msg_1\",\"type\":\"message\"}");
        }));
        Assert.False(notSse.IsRetryable);
        Assert.Equal("req_json", notSse.RequestId);
    }

    private static Task LoopbackSseServerError(HttpContext ctx, int status)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync("{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"m\"}}");
    }

    private static void SetRetryAfter(HttpContext ctx, RetryAfterHeader header, DateTimeOffset now)
    {
        switch (header)
        {
            case RetryAfterHeader.Seconds:
                ctx.Response.Headers["retry-after"] = "7";
                break;
            case RetryAfterHeader.HttpDate:
                ctx.Response.Headers["retry-after"] = now.AddSeconds(120).ToString("r", CultureInfo.InvariantCulture);
                break;
            case RetryAfterHeader.Milliseconds:
                ctx.Response.Headers["retry-after-ms"] = "1500";
                ctx.Response.Headers["retry-after"] = "2";
                break;
        }
    }

    private static void AssertRetryAfter(RetryAfterHeader header, TimeSpan? actual)
    {
        switch (header)
        {
            case RetryAfterHeader.None:
                Assert.Null(actual);
                break;
            case RetryAfterHeader.Seconds:
                Assert.Equal(TimeSpan.FromSeconds(7), actual);
                break;
            case RetryAfterHeader.HttpDate:
                // An HTTP date has whole seconds; the wait is measured from when the exception was made.
                Assert.InRange(actual!.Value, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(121));
                break;
            case RetryAfterHeader.Milliseconds:
                Assert.Equal(TimeSpan.FromMilliseconds(1500), actual);
                break;
        }
    }
}
