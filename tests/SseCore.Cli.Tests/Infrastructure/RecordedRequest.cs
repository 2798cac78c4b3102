using Microsoft.AspNetCore.Http;
using SseCore.Tests.Shared;

namespace SseCore.Cli.Tests.Infrastructure;

/// <summary>What the loopback server received: method, path, headers and body.</summary>
public sealed class RecordedRequest
{
    public string Method { get; private set; } = "";

    public string Path { get; private set; } = "";

    public Dictionary<string, string> Headers { get; private set; } = new(StringComparer.OrdinalIgnoreCase);

    public byte[] Body { get; private set; } = [];

    /// <summary>
    /// Starts a loopback server that records the one request it gets (reading its whole body
    /// first), then answers it with <paramref name="respond"/>.
    /// </summary>
    public static async Task<(LoopbackSseServer Server, RecordedRequest Request)> StartServerAsync(Func<HttpContext, Task> respond)
    {
        var recorded = new RecordedRequest();
        LoopbackSseServer server = await LoopbackSseServer.StartAsync(async context =>
        {
            recorded.Method = context.Request.Method;
            recorded.Path = context.Request.Path.Value ?? "";
            recorded.Headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            recorded.Body = body.ToArray();
            await respond(context);
        });
        return (server, recorded);
    }
}
