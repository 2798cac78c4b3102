using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using SseCore.Tests.Shared;

namespace SseCore.Tests.Reconnect;

/// <summary>
/// <see cref="ReconnectingSseReader"/> over real sockets against a Kestrel event source that drops
/// connections at random bytes — between events, mid-event and mid-line — and resumes from
/// <c>Last-Event-ID</c>: the client must see every event exactly once, in order.
/// </summary>
public class LoopbackReconnectTests
{
    private const int Count = 40;

    private static string Data(int id) => (id % 4) switch
    {
        0 => $"event {id}",
        1 => $" leading space {id}\nsecond line",
        2 => $"{{\"id\":{id},\"text\":\"caf\u00e9\"}}",
        _ => "",
    };

    /// <summary>The events after <paramref name="after"/>, written by <see cref="SseWriter"/>, with a retry and a keep-alive first.</summary>
    private static byte[] Body(int after, Random random)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SseWriter(buffer);
        writer.WriteRetry(random.Next(1, 50));
        writer.WriteComment(" hello");
        for (int id = after + 1; id <= Count; id++)
        {
            writer.WriteEvent(Data(id), id % 3 == 0 ? "tick" : "", id.ToString());
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static int LastEventId(HttpContext context) =>
        context.Request.Headers.TryGetValue("Last-Event-ID", out var id) ? int.Parse(id.ToString()) : 0;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task RandomDrops_EveryEventArrivesOnce_InOrder(int seed)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var requests = new ConcurrentQueue<int>();
        int connection = 0;
        int dropped = 0;
        int midEvent = 0;

        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(async context =>
        {
            int after = LastEventId(context);
            requests.Enqueue(after);
            if (after == Count)
            {
                context.Response.StatusCode = 204;
                return;
            }

            int number = Interlocked.Increment(ref connection);
            var random = new Random(seed * 1000 + number);
            byte[] body = Body(after, random);

            // The first connection and three in four of the others break at a random byte (a
            // break before the first byte may reach the client before the headers do); the
            // others end cleanly.
            int end = number > 1 && random.Next(4) == 0 ? body.Length : random.Next(body.Length);
            context.Response.ContentType = "text/event-stream";
            await context.Response.StartAsync();
            for (int i = 0; i < end;)
            {
                int n = Math.Min(random.Next(1, 40), end - i);
                await context.Response.Body.WriteAsync(body.AsMemory(i, n));
                await context.Response.Body.FlushAsync();
                i += n;
            }

            if (end < body.Length)
            {
                Interlocked.Increment(ref dropped);
                if (end > 0 && !body.AsSpan(0, end).EndsWith("\n\n"u8))
                {
                    Interlocked.Increment(ref midEvent);
                }

                context.Abort();
            }
        });

        var delays = new List<TimeSpan>();
        var options = new SseReconnectOptions
        {
            Delay = (d, _) =>
            {
                delays.Add(d);
                return Task.CompletedTask;
            },
        };
        using var http = new HttpClient();
        await using var reader = new ReconnectingSseReader(http, new Uri(server.BaseAddress, "events"), options);

        var got = new List<(string Type, string Data, string Id)>();
        var comments = 0;
        reader.CommentHandler = _ => comments++;
        while (await reader.MoveNextAsync(timeout.Token))
        {
            SseEvent e = reader.Current;
            got.Add((e.GetEventTypeString(), e.GetDataString(), e.GetLastEventIdString()));
        }

        var expected = Enumerable.Range(1, Count).Select(id => (id % 3 == 0 ? "tick" : "message", Data(id), id.ToString())).ToList();
        Assert.Equal(expected, got);
        Assert.True(dropped > 0, "no connection was dropped");
        Assert.True(midEvent > 0, "no connection was dropped inside an event");

        // Every request resumed from what the client had, which only grows; the last one got 204.
        int[] asked = requests.ToArray();
        Assert.Equal(0, asked[0]);
        Assert.Equal(Count, asked[^1]);
        Assert.Equal(asked.Order(), asked);
        Assert.Equal(asked.Length - 1, delays.Count);
        Assert.Equal(asked.Length, reader.AttemptCount);
        Assert.InRange(reader.ConnectionCount, 1, asked.Length - 1);
        Assert.True(comments > 0);

        // Every wait honoured the server's retry (1..49 ms), jittered up by at most 20%, backed off at most to the 60 s cap.
        Assert.All(delays, d => Assert.InRange(d.TotalMilliseconds, 1, 72_000));
    }

    [Fact]
    public async Task CancelledRead_OverARealSocket_ResumesFromTheLastId()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var requests = new ConcurrentQueue<int>();
        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(async context =>
        {
            int after = LastEventId(context);
            requests.Enqueue(after);
            if (after == Count)
            {
                context.Response.StatusCode = 204;
                return;
            }

            context.Response.ContentType = "text/event-stream";
            var writer = new SseWriter(context.Response.BodyWriter);
            int last = after == 0 ? 3 : Count;
            for (int id = after + 1; id <= last; id++)
            {
                writer.WriteEvent(Data(id), id % 3 == 0 ? "tick" : "", id.ToString());
            }

            await writer.FlushAsync();
            if (after == 0)
            {
                // Then nothing: the client gives up waiting.
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var options = new SseReconnectOptions { Delay = (_, _) => Task.CompletedTask };
        using var http = new HttpClient();
        await using var reader = new ReconnectingSseReader(http, server.BaseAddress, options);
        for (int i = 1; i <= 3; i++)
        {
            Assert.True(await reader.MoveNextAsync(timeout.Token));
            Assert.Equal(i.ToString(), reader.GetLastEventIdString());
        }

        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token))
        {
            ValueTask<bool> waiting = reader.MoveNextAsync(cancel.Token);
            cancel.CancelAfter(50);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask());
        }

        var rest = new List<string>();
        while (await reader.MoveNextAsync(timeout.Token))
        {
            rest.Add(reader.GetLastEventIdString());
        }

        Assert.Equal(Enumerable.Range(4, Count - 3).Select(i => i.ToString()), rest);
        Assert.Equal([0, 3, Count], requests.ToArray());
    }
}
