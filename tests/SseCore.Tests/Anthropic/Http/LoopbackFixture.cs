using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Http;
using SseCore.Anthropic;
using SseCore.Tests.Shared;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// One loopback Kestrel server and one HttpClient for a test class: each test registers its own
/// handler under a fresh path, so the tests pay for one server start.
/// </summary>
public sealed class LoopbackFixture : IAsyncLifetime
{
    /// <summary>Hang guard for every await on the network: generous, never expected to fire.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, RequestDelegate> _routes = new();
    private LoopbackSseServer? _server;
    private HttpClient? _client;

    public HttpClient Client => _client ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _server = await LoopbackSseServer.StartAsync(ctx =>
        {
            if (_routes.TryGetValue(ctx.Request.Path.Value ?? string.Empty, out RequestDelegate? handler))
            {
                return handler(ctx);
            }

            ctx.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        _client = new HttpClient { BaseAddress = _server.BaseAddress, Timeout = Guard };
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Sends a request answered by <paramref name="handler"/> and opens its message stream.</summary>
    public async Task<MessageStream> OpenAsync(RequestDelegate handler, CancellationToken cancellationToken = default, SseParserOptions? options = null)
    {
        using HttpRequestMessage request = Route(handler);
        return await Client.SendMessageStreamAsync(request, options, cancellationToken).WaitAsync(Guard, cancellationToken);
    }

    /// <summary>Sends a request answered by <paramref name="handler"/> and returns the response once its headers are in.</summary>
    public async Task<HttpResponseMessage> SendAsync(RequestDelegate handler)
    {
        using HttpRequestMessage request = Route(handler);
        return await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Guard);
    }

    private HttpRequestMessage Route(RequestDelegate handler)
    {
        string path = "/v1/messages/" + Guid.NewGuid().ToString("N");
        _routes[path] = handler;
        return new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/'))
        {
            Content = new StringContent("{\"stream\":true}", Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>
    /// Serves the first <paramref name="cut"/> bytes of <paramref name="body"/> in random chunks,
    /// waits for them to be on the wire, and resets the connection: a broken stream.
    /// </summary>
    public static async Task ServeThenAbortAsync(HttpContext ctx, byte[] body, int cut, int seed)
    {
        await LoopbackSseServer.ServeChunkedAsync(ctx, body[..cut], seed, minChunk: 1, maxChunk: 48, maxDelayMs: 1);

        // Kestrel drops output not yet handed to the socket when the connection is aborted.
        await Task.Delay(60);
        ctx.Abort();
    }

    /// <summary>Serves <paramref name="body"/>, then stalls (until the client goes away) without ending the response.</summary>
    public static async Task ServeThenStallAsync(HttpContext ctx, byte[] body, int seed)
    {
        await LoopbackSseServer.ServeChunkedAsync(ctx, body, seed, minChunk: 1, maxChunk: 48, maxDelayMs: 1);
        try
        {
            await Task.Delay(Guard, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away: what the test wants.
        }
    }
}
