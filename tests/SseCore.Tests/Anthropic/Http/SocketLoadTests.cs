using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using SseCore.Anthropic;
using SseCore.Internal;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Shared;
using Xunit.Abstractions;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// 500 concurrent streams through one HttpClient against loopback Kestrel in the same process:
/// every stream's final (or partial) message exact, every pooled buffer returned, memory
/// bounded. Runs alone (the allocation collection) so the process-wide figures it prints are its
/// own: see docs/PERFORMANCE.md, "Load: concurrent streams over loopback".
/// </summary>
[Collection(AllocationCollection.Name)]
public class SocketLoadTests(ITestOutputHelper output)
{
    private const int Streams = 500;

    /// <summary>How a stream of the load ends: 7 in 10 complete, the rest fail in the three ways a stream can.</summary>
    public enum Ending
    {
        Complete,
        Reset,
        Cancelled,
        IdleTimeout,
    }

    private static readonly string[] LfFixtures =
    [
        "basic_text.sse", "beta_compaction.sse", "beta_fallback.sse", "beta_fallback_credit_usage.sse", "citations.sse",
        "extended_thinking.sse", "interleaved_blocks.sse", "max_tokens_tool_use_truncated.sse",
        "refusal_after_thinking_recorded.sse", "refusal_stop_details.sse", "tool_use.sse", "tool_use_recorded.sse",
        "web_search_server_tool_use.sse",
    ];

    [Fact]
    public async Task FiveHundredConcurrentStreams_EveryMessageExact_EveryPooledBufferReturned_MemoryBounded()
    {
        // Streams 500.. warm up (JIT, connection code paths), one of each ending but the idle
        // timeout, unmeasured and not held at the gate.
        Plan[] plans = Enumerable.Range(0, Streams + 9).Select(Plan.For).ToArray();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(ctx => ServeAsync(ctx, plans, go.Task));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024 };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        foreach (Plan p in plans.Skip(Streams))
        {
            p.Verify(await RunClientAsync(client, p, () => { }, new CancellationToken(canceled: true)).WaitAsync(TimeSpan.FromSeconds(60)));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long rentalsBefore = PooledBuffer.OutstandingRentals;
        long heapBefore = GC.GetTotalMemory(true);
        long workingSetBefore = Environment.WorkingSet;
        long allocatedBefore = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();

        using var sampling = new CancellationTokenSource();
        long peakHeap = 0, peakWorkingSet = 0;
        Task sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
                await Task.Delay(5);
            }
        });

        int ready = 0;
        var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancelTheCancelled = new CancellationTokenSource();
        Task<Result>[] clients = plans.Take(Streams).Select(p => Task.Run(() => RunClientAsync(
            client,
            p,
            () =>
            {
                if (Interlocked.Increment(ref ready) == Streams)
                {
                    allReady.TrySetResult();
                }
            },
            cancelTheCancelled.Token))).ToArray();

        // Every stream open, its head read, waiting for the server: the idle picture.
        await allReady.Task.WaitAsync(TimeSpan.FromSeconds(60));
        TimeSpan openTime = clock.Elapsed;
        long heapAllOpen = GC.GetTotalMemory(true);
        long rentalsAllOpen = PooledBuffer.OutstandingRentals;
        go.SetResult();
        cancelTheCancelled.Cancel();
        Result[] results = await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));
        TimeSpan totalTime = clock.Elapsed;
        long allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        sampling.Cancel();
        await sampler;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long rentalsAfter = PooledBuffer.OutstandingRentals;
        long heapAfter = GC.GetTotalMemory(true);

        // Correctness first: every stream's outcome and message, against the reference fold.
        foreach (Result r in results)
        {
            r.Plan.Verify(r);
        }

        long events = results.Sum(r => r.Events);
        var counts = results.GroupBy(r => r.Plan.Ending).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"streams {Streams} ({string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}), events {events}, bytes {results.Sum(r => r.Plan.Sent)}");
        output.WriteLine($"time: all open and idle after {openTime.TotalMilliseconds:0} ms, all done after {totalTime.TotalMilliseconds:0} ms");
        output.WriteLine($"allocated (whole process: client, Kestrel, test code) {allocated / 1024.0 / 1024.0:0.0} MiB = {allocated / (double)events:0} B/event, {allocated / (double)Streams / 1024.0:0.0} KiB/stream");
        output.WriteLine($"heap: before {heapBefore / 1024.0 / 1024.0:0.0} MiB, all {Streams} open {heapAllOpen / 1024.0 / 1024.0:0.0} MiB ({(heapAllOpen - heapBefore) / (double)Streams / 1024.0:0.0} KiB/open stream, both ends), peak {peakHeap / 1024.0 / 1024.0:0.0} MiB, after {heapAfter / 1024.0 / 1024.0:0.0} MiB");
        output.WriteLine($"working set: before {workingSetBefore / 1024.0 / 1024.0:0} MiB, peak {peakWorkingSet / 1024.0 / 1024.0:0} MiB");
        output.WriteLine($"pooled buffers rented: before {rentalsBefore}, all open {rentalsAllOpen}, after {rentalsAfter}");

        Assert.Equal(Streams * 7 / 10, counts[Ending.Complete]);
        Assert.True(rentalsAllOpen > rentalsBefore, "the open streams hold pooled buffers");
        Assert.Equal(rentalsBefore, rentalsAfter);

        // Bounds an order of magnitude above what is measured (see PERFORMANCE.md), to catch a
        // buffer per event or a stream that keeps its bytes, not to time anything.
        Assert.True(heapAllOpen - heapBefore < Streams * 512L * 1024, $"{(heapAllOpen - heapBefore) / Streams} B per open stream");
        Assert.True(allocated < events * 64L * 1024, $"{allocated / events} B per event");
    }

    [Fact]
    public async Task IdleMessageStreams_HoldLittle_AndReturnEveryPooledBuffer_OnDispose()
    {
        // The library's own share of an idle stream, without HTTP: 500 message streams over pipes,
        // each in the middle of its message, waiting for bytes.
        Plan[] plans = Enumerable.Range(0, Streams).Select(Plan.For).ToArray();
        GC.Collect();
        long rentalsBefore = PooledBuffer.OutstandingRentals;
        long heapBefore = GC.GetTotalMemory(true);
        var pipes = new Pipe[Streams];
        var streams = new MessageStream[Streams];
        var pending = new Task<Message>[Streams];
        using var cts = new CancellationTokenSource();
        for (int i = 0; i < Streams; i++)
        {
            pipes[i] = new Pipe();
            await pipes[i].Writer.WriteAsync(plans[i].Head);
            streams[i] = MessageStream.Create(pipes[i].Reader);
            for (int e = 0; e < plans[i].HeadEvents; e++)
            {
                Assert.True(await streams[i].MoveNextAsync());
            }

            pending[i] = streams[i].GetFinalMessageAsync(cts.Token);
        }

        long heapIdle = GC.GetTotalMemory(true);
        long rentalsIdle = PooledBuffer.OutstandingRentals;

        // Half are cancelled, half complete; all are disposed.
        cts.Cancel();
        for (int i = 0; i < Streams; i++)
        {
            await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => pending[i]);
            streams[i].Dispose();
        }

        GC.Collect();
        long rentalsAfter = PooledBuffer.OutstandingRentals;
        output.WriteLine($"{Streams} idle message streams over pipes: {(heapIdle - heapBefore) / (double)Streams / 1024.0:0.0} KiB each (pipe included), {(rentalsIdle - rentalsBefore) / (double)Streams:0.0} pooled arrays each");
        Assert.True(rentalsIdle > rentalsBefore);
        Assert.Equal(rentalsBefore, rentalsAfter);
        Assert.True(heapIdle - heapBefore < Streams * 256L * 1024, $"{(heapIdle - heapBefore) / Streams} B per idle stream");
        GC.KeepAlive(pipes);
    }

    [Fact]
    public async Task FiveHundredConcurrentRawBodies_Baseline_EveryByteArrives()
    {
        // The same load with a client that only drains the bytes: what Kestrel, HttpClient and the
        // sockets cost in this process, to subtract from the figures of the test above.
        Plan[] plans = Enumerable.Range(0, Streams).Select(i => Plan.For(i) with { Ending = Ending.Complete }).ToArray();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        go.SetResult();
        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(ctx => ServeAsync(ctx, plans, go.Task));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024 };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        foreach (Plan p in plans.Take(10))
        {
            Assert.Equal(p.Full.Length, await DrainAsync(client, p));
        }

        GC.Collect();
        long allocatedBefore = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        long[] lengths = await Task.WhenAll(plans.Select(p => Task.Run(() => DrainAsync(client, p)))).WaitAsync(TimeSpan.FromSeconds(60));
        long allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        Assert.Equal(plans.Select(p => (long)p.Full.Length), lengths);
        long events = plans.Sum(p => (long)p.Events);
        output.WriteLine($"baseline, {Streams} raw bodies drained: {clock.Elapsed.TotalMilliseconds:0} ms, allocated {allocated / 1024.0 / 1024.0:0.0} MiB = {allocated / (double)events:0} B/event, {allocated / (double)Streams / 1024.0:0.0} KiB/stream");

        // And the library alone, per stream: the same bodies through MessageStream from memory
        // (synchronous, so the thread's count is exact), the final message included.
        long library = 0;
        foreach (Plan p in plans)
        {
            var body = new MemoryStream(p.Full);
            long before = GC.GetAllocatedBytesForCurrentThread();
            using (MessageStream stream = MessageStream.Create(body))
            {
                Task<Message> final = stream.GetFinalMessageAsync();
                Assert.True(final.IsCompletedSuccessfully);
            }

            library += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        output.WriteLine($"library alone (MessageStream over the bodies in memory, final message included): {library / (double)events:0} B/event, {library / (double)Streams / 1024.0:0.0} KiB/stream");
    }

    private static async Task<long> DrainAsync(HttpClient client, Plan plan)
    {
        using HttpResponseMessage response = await client.PostAsync(plan.Path, new ByteArrayContent([]));
        await using Stream body = await response.Content.ReadAsStreamAsync();
        byte[] buffer = new byte[4096];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    private static async Task<Result> RunClientAsync(HttpClient client, Plan plan, Action ready, CancellationToken cancel)
    {
        var options = plan.Ending == Ending.IdleTimeout ? new SseParserOptions { IdleTimeout = TimeSpan.FromSeconds(1) } : null;
        using var request = new HttpRequestMessage(HttpMethod.Post, plan.Path) { Content = new ByteArrayContent([]) };
        MessageStream stream = await client.SendMessageStreamAsync(request, options);
        try
        {
            for (int i = 0; i < plan.HeadEvents; i++)
            {
                if (!await stream.MoveNextAsync())
                {
                    throw new InvalidOperationException($"stream {plan.Index} ended in its head");
                }
            }

            ready();
            try
            {
                Message message = plan.Index % 2 == 0
                    ? await stream.GetFinalMessageAsync(plan.Ending == Ending.Cancelled ? cancel : CancellationToken.None)
                    : await ReadTextThenFinalAsync(stream, plan.Ending == Ending.Cancelled ? cancel : CancellationToken.None);
                return new Result(plan, stream.Outcome, message, null, stream.SseState.EventsDispatched);
            }
            catch (AnthropicException ex)
            {
                return new Result(plan, stream.Outcome, null, ex, stream.SseState.EventsDispatched);
            }
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    private static async Task<Message> ReadTextThenFinalAsync(MessageStream stream, CancellationToken cancellationToken)
    {
        while (await stream.MoveNextTextAsync(cancellationToken))
        {
        }

        return await stream.GetFinalMessageAsync(cancellationToken);
    }

    private static async Task ServeAsync(HttpContext ctx, Plan[] plans, Task go)
    {
        Plan plan = plans[int.Parse(ctx.Request.Path.Value!.AsSpan("/load/".Length), System.Globalization.CultureInfo.InvariantCulture)];
        await SocketFaultTests.WriteHeadAsync(ctx, plan.Head);
        try
        {
            if (plan.Index < Streams)
            {
                await go.WaitAsync(ctx.RequestAborted);
            }

            switch (plan.Ending)
            {
                case Ending.Complete:
                {
                    var random = new Random(plan.Index);
                    for (int i = plan.Head.Length; i < plan.Full.Length;)
                    {
                        int n = Math.Min(random.Next(1, 600), plan.Full.Length - i);
                        await ctx.Response.Body.WriteAsync(plan.Full.AsMemory(i, n), ctx.RequestAborted);
                        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                        i += n;
                    }

                    break;
                }

                case Ending.Reset:
                    await ctx.Response.Body.WriteAsync(plan.Full.AsMemory(plan.Head.Length, plan.Cut - plan.Head.Length), ctx.RequestAborted);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);

                    // Kestrel drops output not yet handed to the socket when the connection is aborted.
                    await Task.Delay(100, ctx.RequestAborted);
                    ctx.Abort();
                    break;
                default:
                    await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away (cancelled, timed out): what those streams expect.
        }
    }

    /// <summary>One stream of the load: its body, where the server pauses and cuts, and what the client must end with.</summary>
    private sealed record Plan(int Index, string Fixture, Ending Ending, byte[] Full, int HeadEvents, byte[] Head, int Cut, RefMessage Expected)
    {
        public string Path => $"load/{Index}";

        public int Events => RefMessage.Frame(Full).Count;

        public long Sent => Ending switch { Ending.Complete => Full.Length, Ending.Reset => Cut, _ => Head.Length };

        public static Plan For(int i)
        {
            string fixture = LfFixtures[i % LfFixtures.Length];
            byte[] full = Fixtures.Read(fixture);
            List<byte[]> events = Bodies.SplitEvents(full);
            int headEvents = events.Count / 2;
            byte[] head = Bodies.Join(events.Take(headEvents));
            Ending ending = (i % 10) switch { 7 => Ending.Reset, 8 => Ending.Cancelled, 9 => Ending.IdleTimeout, _ => Ending.Complete };

            // A reset lands inside a data line of the second half.
            List<(int Start, int End)> lines = Bodies.DataLines(full).Where(l => l.Start > head.Length).ToList();
            (int start, int end) = lines[i % lines.Count];
            int cut = start + ((end - start) / 2);
            byte[] received = ending switch { Ending.Complete => full, Ending.Reset => full[..cut], _ => head };
            return new Plan(i, fixture, ending, full, headEvents, head, cut, RefMessage.FoldBytes(received));
        }

        public void Verify(Result r)
        {
            string who = $"stream {Index} ({Fixture}, {Ending})";
            switch (Ending)
            {
                case Ending.Complete:
                    Assert.True(r.Outcome == MessageStreamOutcome.Completed, $"{who}: {r.Outcome} {r.Exception}");
                    RefAssert.Matches(Expected, r.Message);
                    break;
                case Ending.Reset:
                {
                    var ex = Assert.IsType<AnthropicStreamInterruptedException>(r.Exception);
                    Assert.False(ex.IsCancellation || ex.IsIdleTimeout, $"{who}: {ex}");
                    RefAssert.Matches(Expected, ex.PartialMessage);
                    break;
                }

                case Ending.Cancelled:
                {
                    var ex = Assert.IsType<AnthropicStreamInterruptedException>(r.Exception);
                    Assert.True(ex.IsCancellation, $"{who}: {ex}");
                    RefAssert.Matches(Expected, ex.PartialMessage);
                    break;
                }

                default:
                {
                    var ex = Assert.IsType<AnthropicStreamInterruptedException>(r.Exception);
                    Assert.True(ex.IsIdleTimeout, $"{who}: {ex}");
                    Assert.Equal(Head.Length, Assert.IsType<SseIdleTimeoutException>(ex.InnerException).ByteOffset);
                    RefAssert.Matches(Expected, ex.PartialMessage);
                    break;
                }
            }
        }
    }

    private sealed record Result(Plan Plan, MessageStreamOutcome Outcome, Message? Message, AnthropicException? Exception, long Events);
}
