using System.Text;
using Microsoft.AspNetCore.Http;
using SseCore.Anthropic;
using SseCore.Tests.Shared;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// The README's retry loop ("Retrying"), run as written against a loopback server that fails the
/// first attempts: it retries what is retryable before any output (waiting what retry-after-ms
/// says), and keeps the partial answer once output was shown.
/// </summary>
public class ReadmeRetryExampleTests
{
    private const string Head =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n";

    private const string Rest =
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\", world\"}}\n\n" +
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":4}}\n\n" +
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    [Fact]
    public async Task RetriesAn529AndAnOverloadedFirstEvent_ThenStreamsTheAnswer()
    {
        int requests = 0;
        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(async ctx =>
        {
            switch (Interlocked.Increment(ref requests))
            {
                case 1:
                    ctx.Response.Headers["retry-after-ms"] = "20";
                    await LoopbackSseServer.ServeErrorAsync(ctx, 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
                    break;
                case 2:
                    await LoopbackSseServer.ServeChunkedAsync(ctx, Encoding.UTF8.GetBytes("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal\"}}\n\n"), seed: 2);
                    break;
                default:
                    await LoopbackSseServer.ServeChunkedAsync(ctx, Encoding.UTF8.GetBytes(Head + Rest), seed: 3);
                    break;
            }
        });

        (string answer, string stdout, string stderr) = await RunReadmeLoopAsync(server);
        Assert.Equal(3, requests);
        Assert.Equal("Hello, world", answer);
        Assert.Equal("Hello, world", stdout);
        Assert.Contains("attempt 1 failed", stderr, StringComparison.Ordinal);
        Assert.Contains("retrying in 0.0 s", stderr, StringComparison.Ordinal); // retry-after-ms: 20
        Assert.Contains("attempt 2 failed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABreakAfterOutput_IsNotRetried_ThePartialAnswerIsKept()
    {
        int requests = 0;
        byte[] body = Encoding.UTF8.GetBytes(Head + Rest);
        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(ctx =>
        {
            Interlocked.Increment(ref requests);
            return LoopbackFixture.ServeThenAbortAsync(ctx, body, Encoding.UTF8.GetByteCount(Head) + 10, seed: 4);
        });

        (string answer, string stdout, string stderr) = await RunReadmeLoopAsync(server);
        Assert.Equal(1, requests);
        Assert.Equal("Hello", answer);
        Assert.Equal("Hello", stdout);
        Assert.Contains("retryable: True", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANonRetryableError_IsNotRetried()
    {
        int requests = 0;
        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(ctx =>
        {
            Interlocked.Increment(ref requests);
            return LoopbackSseServer.ServeErrorAsync(ctx, 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens: required\"}}");
        });

        (string answer, _, string stderr) = await RunReadmeLoopAsync(server);
        Assert.Equal(1, requests);
        Assert.Equal(string.Empty, answer);
        Assert.Contains("retryable: False", stderr, StringComparison.Ordinal);
    }

    /// <summary>The README's loop, verbatim but for Console (captured) and the request factory.</summary>
    private static async Task<(string Answer, string Stdout, string Stderr)> RunReadmeLoopAsync(LoopbackSseServer server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = LoopbackFixture.Guard };
        HttpRequestMessage CreateRequest() => new(HttpMethod.Post, "v1/messages") { Content = new StringContent("{\"stream\":true}", Encoding.UTF8, "application/json") };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        CancellationToken ct = new CancellationTokenSource(LoopbackFixture.Guard).Token;

        // ---- README "Retrying" ----
        string answer = "";
        for (int attempt = 1; ; attempt++)
        {
            using HttpRequestMessage request = CreateRequest();   // a request cannot be sent twice
            try
            {
                await using MessageStream stream = await http.SendMessageStreamAsync(request, cancellationToken: ct);
                while (await stream.MoveNextTextAsync(ct))
                {
                    stdout.Append(Encoding.UTF8.GetString(stream.CurrentText));
                }

                answer = (await stream.GetFinalMessageAsync(ct)).GetText();
                break;
            }
            catch (AnthropicException ex) when (ex.IsRetryable && !ex.HasReceivedOutput && attempt < 5)
            {
                TimeSpan backoff = ex.RetryAfter ?? TimeSpan.FromSeconds(Math.Min(30, 0.5 * Math.Pow(2, attempt)) * (0.75 + (Random.Shared.NextDouble() / 2)));
                stderr.AppendLine($"attempt {attempt} failed ({ex.Message}; request {ex.RequestId}), retrying in {backoff.TotalSeconds:0.0} s");
                await Task.Delay(backoff, ct);
            }
            catch (AnthropicException ex)
            {
                // Not retryable, out of attempts, or part of the answer is already on screen: keep it.
                answer = ex.PartialMessage?.GetText() ?? "";
                stderr.AppendLine($"\nstopped: {ex.Message} (retryable: {ex.IsRetryable}, request {ex.RequestId})");
                break;
            }
        }

        // ---- end ----
        return (answer, stdout.ToString(), stderr.ToString());
    }
}
