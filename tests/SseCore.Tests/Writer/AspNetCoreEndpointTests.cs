using System.Text;
using Microsoft.AspNetCore.Http;
using SseCore.Tests.Shared;

namespace SseCore.Tests.Writer;

/// <summary>
/// The writer in an ASP.NET Core endpoint, as the README shows it: <c>HttpResponse.BodyWriter</c>,
/// <c>text/event-stream</c>, a flush per event; read back by <see cref="SseReader"/> over a real
/// socket.
/// </summary>
public class AspNetCoreEndpointTests
{
    [Fact]
    public async Task Endpoint_WritesEvents_ThatSseReaderReadsBack_OneFlushPerEvent()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        CancellationToken ct = timeout.Token;

        // The server writes the next event only once the client has read the previous one: each
        // event must reach the client on its own flush, not when the response ends.
        var received = new SemaphoreSlim(0);
        string[] data = ["first", "two\nlines", " leading space", "", "caf\u00e9 \U0001F600"];

        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(async context =>
        {
            context.Response.ContentType = SseWriter.ContentType;
            context.Response.Headers.CacheControl = "no-cache";
            var sse = new SseWriter(context.Response.BodyWriter);
            sse.WriteRetry(2500);
            sse.WriteComment(" connected");
            await sse.FlushAsync(context.RequestAborted);
            for (int i = 0; i < data.Length; i++)
            {
                sse.WriteEvent(data[i], i % 2 == 0 ? "update" : "", (i + 1).ToString());
                await sse.FlushAsync(context.RequestAborted);
                await received.WaitAsync(context.RequestAborted);
            }
        });

        using var http = new HttpClient();
        using HttpResponseMessage response = await http.GetAsync(server.BaseAddress, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using SseReader reader = SseReader.Create(await response.Content.ReadAsStreamAsync(ct));
        var comments = new List<string>();
        reader.CommentHandler = c => comments.Add(Encoding.UTF8.GetString(c));

        for (int i = 0; i < data.Length; i++)
        {
            Assert.True(await reader.MoveNextAsync(ct));
            SseEvent e = reader.Current;
            Assert.Equal(i % 2 == 0 ? "update" : "message", e.GetEventTypeString());
            Assert.Equal(data[i], e.GetDataString());
            Assert.Equal((i + 1).ToString(), e.GetLastEventIdString());
            Assert.Equal(2500, e.ReconnectionTime);
            received.Release();
        }

        Assert.False(await reader.MoveNextAsync(ct));
        Assert.Equal([" connected"], comments);
    }
}
