using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SseCore.Tests.Shared;

/// <summary>
/// A real HTTP server (Kestrel) on 127.0.0.1 and a free port, started by a test, serving
/// whatever the test's handler writes: the client side talks to it over a real socket.
/// Shared by the test projects (linked, not copied).
/// </summary>
public sealed class LoopbackSseServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackSseServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri BaseAddress { get; }

    public static async Task<LoopbackSseServer> StartAsync(RequestDelegate handler)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackSseServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>
    /// Writes <paramref name="body"/> as <c>text/event-stream</c> in random chunks of
    /// <paramref name="minChunk"/>..<paramref name="maxChunk"/> bytes, flushing each and pausing
    /// up to <paramref name="maxDelayMs"/> between them. With <paramref name="abortAfter"/>, the
    /// connection is reset after that many bytes (a broken stream, not a clean end).
    /// </summary>
    public static async Task ServeChunkedAsync(HttpContext context, byte[] body, int seed, int minChunk = 1, int maxChunk = 64, int maxDelayMs = 3, int? abortAfter = null)
    {
        var random = new Random(seed);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers["request-id"] = "req_loopback";
        await context.Response.StartAsync();
        int end = abortAfter ?? body.Length;
        for (int i = 0; i < end;)
        {
            int n = Math.Min(random.Next(minChunk, maxChunk + 1), end - i);
            await context.Response.Body.WriteAsync(body.AsMemory(i, n));
            await context.Response.Body.FlushAsync();
            i += n;
            if (maxDelayMs > 0)
            {
                await Task.Delay(random.Next(0, maxDelayMs + 1));
            }
        }

        if (abortAfter is not null)
        {
            context.Abort();
        }
    }

    /// <summary>Answers with an error status and a JSON body, as the API does for 4xx/5xx.</summary>
    public static async Task ServeErrorAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["request-id"] = "req_header_id";
        await context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
