using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Reconnect;

// .Result is read only after asserting the ValueTask completed: measuring on this thread needs
// synchronous completion, which a body already in memory gives.
#pragma warning disable xUnit1031

/// <summary>
/// Once connected, <see cref="ReconnectingSseReader"/> delivers events without allocating —
/// measured exactly; a connection's own objects (request, response, pipe, reader) are outside
/// the measured window.
/// </summary>
[Collection(AllocationCollection.Name)]
public class ReconnectAllocationTests
{
    private const int Count = 2000;

    [Fact]
    public async Task SteadyState_AllocatesZeroBytesPerEvent()
    {
        byte[] body = Responses.Events(1, Count, i => i % 2 == 0 ? "two\nlines" : "{\"delta\":\"text\"}");
        var handler = new ScriptedHandler((n, request) =>
            n % 2 == 0 ? Responses.EventStream(new MemoryStream(body)) : Responses.Status(204));
        using var http = new HttpClient(handler);
        var options = new SseReconnectOptions { Delay = (_, _) => Task.CompletedTask };

        var rounds = new List<long>();
        for (int round = 0; round < 7; round++)
        {
            await using var reader = new ReconnectingSseReader(http, new Uri("http://example.test/"), options);
            Assert.True(await reader.MoveNextAsync());
            long bytes = 0;
            int events = 1;
            long before = GC.GetAllocatedBytesForCurrentThread();
            while (events < Count)
            {
                ValueTask<bool> next = reader.MoveNextAsync();
                Assert.True(next.IsCompletedSuccessfully && next.Result);
                SseEvent e = reader.Current;
                bytes += e.Data.Length + e.LastEventId.Length;
                events++;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(bytes > 0);
            Assert.True(await reader.MoveNextAsync() is false);
            if (round >= 2)
            {
                rounds.Add(allocated);
            }
        }

        string all = string.Join(", ", rounds);
        Assert.True(rounds.Min() == 0, $"no round allocated exactly 0 bytes: {all}");
        Assert.True(rounds.Max() < Count, $"a round allocated at least 1 byte per event: {all}");
    }
}
