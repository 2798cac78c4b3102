using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.Versioning;
using FsCheck.Xunit;

namespace SseCore.Tests.Reconnect;

/// <summary>
/// <see cref="ReconnectingSseReader"/> against a scripted <see cref="HttpMessageHandler"/>: every
/// response, break and status is chosen by the test, and delays are recorded instead of waited.
/// </summary>
public class ReconnectingReaderTests
{
    private const int N = 12;

    private sealed record Got(string Type, string Data, string Id);

    private static (SseReconnectOptions Options, List<TimeSpan> Delays) NoWait(double jitter = 0)
    {
        var delays = new List<TimeSpan>();
        var options = new SseReconnectOptions
        {
            Jitter = jitter,
            Delay = (d, ct) =>
            {
                delays.Add(d);
                return Task.CompletedTask;
            },
        };
        return (options, delays);
    }

    private static ReconnectingSseReader Reader(ScriptedHandler handler, SseReconnectOptions options) =>
        new(new HttpClient(handler), new Uri("http://example.test/events"), options);

    private static async Task<List<Got>> ReadAll(ReconnectingSseReader reader, CancellationToken ct = default)
    {
        var got = new List<Got>();
        while (await reader.MoveNextAsync(ct))
        {
            SseEvent e = reader.Current;
            got.Add(new Got(e.GetEventTypeString(), e.GetDataString(), e.GetLastEventIdString()));
        }

        return got;
    }

    private static List<Got> Expected(int count = N) =>
        Enumerable.Range(1, count).Select(i => new Got(i % 3 == 0 ? "tick" : "message", $"event {i}", i.ToString())).ToList();

    /// <summary>A server that resends the events after Last-Event-ID and answers 204 once all were delivered.</summary>
    private static HttpResponseMessage Resume(HttpRequestMessage request, int? breakAt, int count = N)
    {
        int after = request.Headers.TryGetValues("Last-Event-ID", out var v) ? int.Parse(v.Single()) : 0;
        return after == count ? Responses.Status(204) : Responses.EventStream(Responses.Events(after + 1, count), breakAt);
    }

    [Property(MaxTest = 200)]
    public async Task DropsAtAnyByte_DeliverEveryEventOnce_InOrder(int[] breaks)
    {
        breaks ??= [];
        var handler = new ScriptedHandler((n, request) =>
            Resume(request, n < breaks.Length ? (int)((uint)breaks[n] % 200u) : null));
        (SseReconnectOptions options, _) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));

        // Each request resumed from the last event delivered before it.
        Assert.Null(handler.LastEventIds[0]);
        Assert.Equal("12", handler.LastEventIds[^1]);
        Assert.True(handler.LastEventIds.Skip(1).Select(id => int.Parse(id ?? "0")).SequenceEqual(handler.LastEventIds.Skip(1).Select(id => int.Parse(id ?? "0")).Order()));
    }

    [Fact]
    public async Task DropMidEvent_DiscardsThePartialEvent_AndTheServerResendsIt()
    {
        byte[] body = Responses.Events(1, N);
        int midThird = IndexOf(body, "data: event 3"u8) + 8;
        var handler = new ScriptedHandler((n, request) => Resume(request, n == 0 ? midThird : null));
        (SseReconnectOptions options, _) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));
        Assert.Equal([null, "2", "12"], handler.LastEventIds);
        Assert.Equal(2, reader.ConnectionCount);
        Assert.Equal(3, reader.AttemptCount);
    }

    [Fact]
    public async Task CleanEndOfTheBody_Reconnects_AsTheSpecSays()
    {
        var handler = new ScriptedHandler((n, request) => n switch
        {
            0 => Responses.EventStream(Responses.Events(1, 5)),
            1 => Responses.EventStream(Responses.Events(6, N)),
            _ => Resume(request, null),
        });
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));
        Assert.Equal([null, "5", "12"], handler.LastEventIds);
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)], delays);
    }

    [Fact]
    public async Task RetryField_SetsTheDelay_AndPersistsAcrossConnections()
    {
        var handler = new ScriptedHandler((n, request) => n switch
        {
            0 => Responses.EventStream(Responses.Events(1, 2, retry: 1234)),
            1 => Responses.EventStream(Responses.Events(3, 4)),
            2 => Responses.EventStream(Responses.Events(5, N, retry: 50)),
            _ => Resume(request, null),
        });
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));
        Assert.Equal([1234, 1234, 50], delays.Select(d => d.TotalMilliseconds));
        Assert.Equal(TimeSpan.FromMilliseconds(50), reader.ReconnectionTime);
        Assert.Equal(50, reader.State.ReconnectionTime);
    }

    [Fact]
    public async Task Backoff_GrowsPerFailureInARow_IsCapped_AndResetsOnceEventsArrive()
    {
        // Six failures, a connection with events, two failures, the rest.
        var handler = new ScriptedHandler((n, request) => n switch
        {
            < 6 => Responses.Status(503),
            6 => Responses.EventStream(Responses.Events(1, 3, retry: 100), breakAt: 10_000),
            7 => throw new HttpRequestException("connection refused (scripted)"),
            8 => Responses.EventStream([], breakAt: 0),
            _ => Resume(request, null),
        });
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait();
        options.ReconnectionTime = TimeSpan.FromMilliseconds(1000);
        options.MaxBackoff = TimeSpan.FromMilliseconds(5000);
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));
        Assert.Equal(
            [1000, 2000, 4000, 5000, 5000, 5000, /* events, then retry: 100 */ 100, 100, 200, 100],
            delays.Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public async Task ServerRetryLongerThanTheCap_IsHonoured()
    {
        var handler = new ScriptedHandler((n, request) => n switch
        {
            0 => Responses.EventStream(Responses.Events(1, 1, retry: 90_000)),
            1 or 2 => Responses.Status(500),
            _ => Resume(request, null),
        });
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait();
        options.MaxBackoff = TimeSpan.FromSeconds(10);
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));
        Assert.Equal([90_000, 90_000, 90_000, 90_000], delays.Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public async Task Jitter_OnlyLengthensTheDelay_ByAtMostTheFraction()
    {
        var handler = new ScriptedHandler((n, request) => n < 40 ? Responses.Status(503) : Resume(request, null));
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait(jitter: 0.25);
        options.BackoffMultiplier = 1;
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));
        Assert.Equal(41, delays.Count);
        Assert.All(delays, d => Assert.InRange(d.TotalMilliseconds, 3000, 3750));
        Assert.True(delays.Distinct().Count() > 30, "the jitter is random");
    }

    [Fact]
    public async Task RetryAfter_OfARetryableStatus_IsTheMinimumDelay()
    {
        var handler = new ScriptedHandler((n, request) => n == 0 ? Responses.Status(429, retryAfter: TimeSpan.FromSeconds(42)) : Resume(request, null));
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));
        // Then the usual wait after the last connection ends, before the 204.
        Assert.Equal([TimeSpan.FromSeconds(42), TimeSpan.FromSeconds(3)], delays);
    }

    [Fact]
    public async Task Status204_OnTheFirstRequest_EndsWithoutEvents()
    {
        var handler = new ScriptedHandler((_, _) => Responses.Status(204));
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.False(await reader.MoveNextAsync());
        Assert.False(await reader.MoveNextAsync());
        Assert.Single(handler.LastEventIds);
        Assert.Empty(delays);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(201)]
    [InlineData(301)]
    public async Task NonRetryableStatus_Throws_AndNeverReconnects(int status)
    {
        var handler = new ScriptedHandler((n, request) => n == 0 ? Responses.EventStream(Responses.Events(1, 2), breakAt: 10_000) : Responses.Status(status));
        (SseReconnectOptions options, _) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.True(await reader.MoveNextAsync());
        Assert.True(await reader.MoveNextAsync());
        SseConnectionException ex = await Assert.ThrowsAsync<SseConnectionException>(() => reader.MoveNextAsync().AsTask());
        Assert.Equal(SseConnectionFailure.HttpStatus, ex.Failure);
        Assert.Equal(status, ex.HttpStatus);
        // HttpRequestException.StatusCode can only be set by the .NET 5+ builds of the library.
        bool netstandard = typeof(SseWriter).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName.StartsWith(".NETStandard", StringComparison.Ordinal);
        Assert.Equal(netstandard ? null : (System.Net.HttpStatusCode)status, ex.StatusCode);
        Assert.Contains($"HTTP {status}", ex.Message);

        // A failed reader stays failed.
        Assert.Same(ex, await Assert.ThrowsAsync<SseConnectionException>(() => reader.MoveNextAsync().AsTask()));
        Assert.Equal(2, handler.LastEventIds.Count);
    }

    [Fact]
    public async Task WrongContentType_Throws_AndNeverReconnects()
    {
        var handler = new ScriptedHandler((_, _) => Responses.Status(200, "application/json"));
        (SseReconnectOptions options, _) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        SseConnectionException ex = await Assert.ThrowsAsync<SseConnectionException>(() => reader.MoveNextAsync().AsTask());
        Assert.Equal(SseConnectionFailure.ContentType, ex.Failure);
        Assert.Equal("application/json", ex.MediaType);
        Assert.Contains("not text/event-stream", ex.Message);
        Assert.Single(handler.LastEventIds);
    }

    [Fact]
    public async Task MaxAttempts_InARow_ThenGivesUp_WithTheLastFailureInside()
    {
        var handler = new ScriptedHandler((n, request) => n switch
        {
            0 => Responses.EventStream(Responses.Events(1, 2), breakAt: 10_000),
            1 => Responses.Status(503),
            2 => throw new HttpRequestException("refused (scripted)"),
            _ => Responses.EventStream(Responses.Events(3, 4), breakAt: 0),
        });
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait();
        options.MaxAttempts = 3;
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(2), (await Collect(reader, 2)));
        SseConnectionException ex = await Assert.ThrowsAsync<SseConnectionException>(() => reader.MoveNextAsync().AsTask());
        Assert.Equal(SseConnectionFailure.AttemptsExhausted, ex.Failure);
        Assert.Equal(3, ex.Attempts);
        Assert.IsType<IOException>(ex.InnerException);
        Assert.Equal(4, handler.LastEventIds.Count);
        Assert.Equal(3, delays.Count);
    }

    [Fact]
    public async Task MaxAttempts_CountsFromTheLastConnectionThatDeliveredEvents()
    {
        // Failure pairs between connections with events never reach MaxAttempts = 3.
        var handler = new ScriptedHandler((n, request) => (n % 3) switch
        {
            0 => Resume(request, breakAt: 40),
            1 => Responses.Status(502),
            _ => throw new HttpRequestException("refused (scripted)"),
        });
        (SseReconnectOptions options, _) = NoWait();
        options.MaxAttempts = 3;
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));
    }

    [Fact]
    public async Task TimeoutNotAskedForByTheCaller_IsRetried_LikeANetworkError()
    {
        // HttpClient.Timeout surfaces as TaskCanceledException while the caller's token is not cancelled.
        var handler = new ScriptedHandler((n, request) => n == 0 ? throw new TaskCanceledException("timed out (scripted)") : Resume(request, null));
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(), await ReadAll(reader));
        Assert.Equal(3, handler.LastEventIds.Count);
        Assert.Equal(2, delays.Count);
    }

    [Fact]
    public async Task LimitExceeded_IsNotRetried()
    {
        var handler = new ScriptedHandler((_, _) => Responses.EventStream(Responses.Events(1, 3, i => new string('x', 100))));
        (SseReconnectOptions options, _) = NoWait();
        options.ParserOptions = new SseParserOptions { MaxLineLength = 50 };
        await using ReconnectingSseReader reader = Reader(handler, options);

        await Assert.ThrowsAsync<SseLimitExceededException>(() => reader.MoveNextAsync().AsTask());
        await Assert.ThrowsAsync<SseLimitExceededException>(() => reader.MoveNextAsync().AsTask());
        Assert.Single(handler.LastEventIds);
    }

    [Fact]
    public async Task Request_AsksForAnEventStream_AndResumesFromAStoredId()
    {
        var handler = new ScriptedHandler((n, request) => Resume(request, null));
        (SseReconnectOptions options, _) = NoWait();
        options.LastEventId = "9";
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal("9", reader.GetLastEventIdString());
        Assert.Equal(Expected().Skip(9), await ReadAll(reader));
        Assert.Equal(["9", "12"], handler.LastEventIds);
        Assert.Equal("text/event-stream", handler.Headers[0].Accept.Single().MediaType);
        Assert.True(handler.Headers[0].CacheControl!.NoCache);
        Assert.True("12"u8.SequenceEqual(reader.LastEventId));
    }

    [Fact]
    public async Task RequestFactory_HeadersAreKept_AndLastEventIdReplacesTheFactorys()
    {
        var handler = new ScriptedHandler((n, request) => Resume(request, n == 0 ? 60 : null));
        (SseReconnectOptions options, _) = NoWait();
        var client = new HttpClient(handler);
        await using var reader = new ReconnectingSseReader(client, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "http://example.test/events");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
            request.Headers.TryAddWithoutValidation("Last-Event-ID", "0");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "t");
            return request;
        }, options);

        Assert.Equal(Expected(), await ReadAll(reader));
        Assert.Equal("0", handler.LastEventIds[0]);
        Assert.Equal("2", handler.LastEventIds[1]);
        Assert.All(handler.Headers, h => Assert.Equal(2, h.Accept.Count));
        Assert.All(handler.Headers, h => Assert.Equal("Bearer", h.Authorization!.Scheme));
    }

    [Fact]
    public void InitialLastEventId_WithALineEnd_IsRejected()
    {
        var options = new SseReconnectOptions { LastEventId = "1\n2" };
        Assert.Throws<ArgumentException>("options", () => new ReconnectingSseReader(new HttpClient(), new Uri("http://example.test/"), options));
    }

    [Fact]
    public void Options_RejectValuesOutOfRange()
    {
        var options = new SseReconnectOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ReconnectionTime = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxBackoff = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.BackoffMultiplier = 0.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.BackoffMultiplier = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Jitter = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxAttempts = 0);
        Assert.Throws<ArgumentNullException>(() => options.IsRetryableStatus = null!);
        options.MaxAttempts = null;
        Assert.True(SseReconnectOptions.IsRetryableStatusDefault(503));
        Assert.False(SseReconnectOptions.IsRetryableStatusDefault(404));
    }

    [Fact]
    public async Task Cancellation_WhileConnecting_ThrowsOperationCanceled_ThenTheNextCallConnects()
    {
        var handler = new ScriptedHandler(async (n, request, ct) =>
        {
            if (n == 0)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            return Resume(request, null);
        });
        (SseReconnectOptions options, _) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        using var cts = new CancellationTokenSource();
        ValueTask<bool> pending = reader.MoveNextAsync(cts.Token);
        Assert.False(pending.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask());
        Assert.Equal(Expected(), await ReadAll(reader));
    }

    [Fact]
    public async Task Cancellation_WhileReading_ThrowsOperationCanceled_ThenResumesFromTheLastId()
    {
        var handler = new ScriptedHandler((n, request) => n == 0
            ? Responses.EventStream(Responses.Events(1, 4), hangAtEnd: true)
            : Resume(request, null));
        (SseReconnectOptions options, List<TimeSpan> delays) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.Equal(Expected(4), await Collect(reader, 4));
        using var cts = new CancellationTokenSource();
        ValueTask<bool> pending = reader.MoveNextAsync(cts.Token);
        Assert.False(pending.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask());

        Assert.Equal(Expected().Skip(4), await ReadAll(reader));
        Assert.Equal([null, "4", "12"], handler.LastEventIds);
        Assert.Single(delays);
    }

    [Fact]
    public async Task Cancellation_WhileWaitingToReconnect_ThrowsOperationCanceled_ThenWaitsAgain()
    {
        var handler = new ScriptedHandler((n, request) => Resume(request, n == 0 ? 30 : null));
        var started = new List<TimeSpan>();
        var options = new SseReconnectOptions
        {
            Jitter = 0,
            Delay = async (d, ct) =>
            {
                started.Add(d);
                if (started.Count == 1)
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
            },
        };
        await using ReconnectingSseReader reader = Reader(handler, options);

        Assert.True(await reader.MoveNextAsync());
        using var cts = new CancellationTokenSource();
        ValueTask<bool> pending = reader.MoveNextAsync(cts.Token);
        Assert.False(pending.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask());
        Assert.Single(handler.LastEventIds);

        Assert.Equal(Expected().Skip(1), await ReadAll(reader));
        Assert.Equal(3, started.Count);
    }

    [Fact]
    public async Task AlreadyCancelledToken_ThrowsBeforeConnecting()
    {
        var handler = new ScriptedHandler((n, request) => Resume(request, null));
        (SseReconnectOptions options, _) = NoWait();
        await using ReconnectingSseReader reader = Reader(handler, options);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.MoveNextAsync(new CancellationToken(true)).AsTask());
        Assert.Empty(handler.LastEventIds);
    }

    [Fact]
    public async Task Current_WithoutAnEvent_Throws_AndDisposeClosesTheConnection()
    {
        var body = new BreakingStream(Responses.Events(1, 3), null, 7, hangAtEnd: true);
        var handler = new ScriptedHandler((_, _) => Responses.EventStream(body));
        (SseReconnectOptions options, _) = NoWait();
        ReconnectingSseReader reader = Reader(handler, options);
        Assert.Throws<InvalidOperationException>(() => { _ = reader.Current; });
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal("event 1", reader.Current.GetDataString());
        await reader.DisposeAsync();
        Assert.True(body.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.MoveNextAsync().AsTask());
    }

    private static async Task<List<Got>> Collect(ReconnectingSseReader reader, int count)
    {
        var got = new List<Got>();
        for (int i = 0; i < count; i++)
        {
            Assert.True(await reader.MoveNextAsync());
            SseEvent e = reader.Current;
            got.Add(new Got(e.GetEventTypeString(), e.GetDataString(), e.GetLastEventIdString()));
        }

        return got;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
