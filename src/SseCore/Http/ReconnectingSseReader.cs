using System;
using System.IO;
using System.IO.Pipelines;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Internal;

namespace SseCore;

/// <summary>
/// Reads a generic event source over <see cref="HttpClient"/> and reconnects as an EventSource
/// does: when the connection breaks or ends, it waits the reconnection time (the stream's
/// <c>retry</c>, backed off and jittered after failures) and asks again with
/// <c>Last-Event-ID</c>, so a server that resumes from that ID delivers every event once.
/// </summary>
/// <remarks>
/// <para>
/// The same pull shape as <see cref="SseReader"/>:
/// <c>while (await reader.MoveNextAsync(ct)) { var e = reader.Current; ... }</c>. Reconnections
/// happen inside <see cref="MoveNextAsync"/>; the caller only sees events. An event cut by a
/// broken connection is discarded (the spec's rule for an unterminated event), and the
/// server sends it again after the last ID the client had.
/// </para>
/// <para>
/// It ends (<see cref="MoveNextAsync"/> returns <see langword="false"/>) when the server answers
/// 204 No Content — the spec's way for a server to stop a client from reconnecting. It throws
/// <see cref="SseConnectionException"/> for a status that is not retryable, a content type other
/// than <c>text/event-stream</c>, or when <see cref="SseReconnectOptions.MaxAttempts"/> attempts in
/// a row failed; it never reconnects after that. A parse limit
/// (<see cref="SseLimitExceededException"/>) is not retried either: the server would send the same.
/// </para>
/// <para>
/// This is for services that resume; the Anthropic Messages API does not (use
/// <see cref="AnthropicHttp"/> there). Events are delivered without allocation; a connection
/// costs its request, response and reader. Not thread-safe; one <see cref="MoveNextAsync"/> at a time.
/// </para>
/// <para>
/// <c>Last-Event-ID</c> is sent as the ID's string; <c>SocketsHttpHandler</c> refuses non-ASCII
/// header values unless its <c>RequestHeaderEncodingSelector</c> picks UTF-8, so set that when
/// IDs may be non-ASCII (the refusal would otherwise be retried like a network error).
/// </para>
/// </remarks>
public sealed class ReconnectingSseReader : IAsyncDisposable, IDisposable
{
    private readonly HttpClient _client;
    private readonly Func<HttpRequestMessage> _createRequest;
    private readonly SseReconnectOptions _options;
    private readonly SseParserState _state;
    private readonly Random _random = new();

    private HttpResponseMessage? _response;
    private SseReader? _reader;
    private bool _connectionDeliveredEvents;
    private bool _delayPending;
    private TimeSpan _retryAfter;
    private int _failures;
    private bool _hasCurrent;
    private bool _ended;
    private bool _disposed;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Creates a reader that sends <c>GET <paramref name="requestUri"/></c> for each connection.</summary>
    /// <param name="client">The client; the reader does not dispose it.</param>
    /// <param name="requestUri">The event source's URL.</param>
    /// <param name="options">Delays, limits and the initial last event ID; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="requestUri"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="SseReconnectOptions.LastEventId"/> contains CR, LF or NUL.</exception>
    public ReconnectingSseReader(HttpClient client, Uri requestUri, SseReconnectOptions? options = null)
        : this(client, CreateGet(requestUri), options)
    {
    }

    /// <summary>
    /// Creates a reader that sends a request made by <paramref name="createRequest"/> for each
    /// connection (a request cannot be sent twice): add authentication or other headers there. The
    /// reader adds <c>Accept: text/event-stream</c> and <c>Cache-Control: no-cache</c> when the
    /// request has none, and <c>Last-Event-ID</c> once the stream has set an ID.
    /// </summary>
    /// <param name="client">The client; the reader does not dispose it.</param>
    /// <param name="createRequest">Makes a new request for each connection; the reader disposes it.</param>
    /// <param name="options">Delays, limits and the initial last event ID; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="createRequest"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="SseReconnectOptions.LastEventId"/> contains CR, LF or NUL.</exception>
    public ReconnectingSseReader(HttpClient client, Func<HttpRequestMessage> createRequest, SseReconnectOptions? options = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _createRequest = createRequest ?? throw new ArgumentNullException(nameof(createRequest));
        _options = options ?? new SseReconnectOptions();
        _state = new SseParserState(_options.ParserOptions);
        if (_options.LastEventId is { Length: > 0 } id)
        {
            if (id.IndexOfAny(['\r', '\n', '\0']) >= 0)
            {
                _state.Dispose();
                throw new ArgumentException("The initial last event ID cannot contain CR, LF or NUL: no event stream can set such an ID.", nameof(options));
            }

            _state.LastId.Set(Encoding.UTF8.GetBytes(id));
            _state.ResetForReconnect();
        }
    }

    /// <summary>The parse state shared by every connection: last event ID, reconnection time, counters, comment hook.</summary>
    public SseParserState State => _state;

    /// <summary>Called for each comment line as it is read (servers send comments as keep-alives).</summary>
    public SseCommentHandler? CommentHandler
    {
        get => _state.CommentHandler;
        set => _state.CommentHandler = value;
    }

    /// <summary>The last event ID (UTF-8) the next reconnection will send; empty when none. Valid until the next <see cref="MoveNextAsync"/>.</summary>
    public ReadOnlySpan<byte> LastEventId => _state.LastEventId;

    /// <summary>
    /// The reconnection time before backoff: the stream's last <c>retry</c>, or
    /// <see cref="SseReconnectOptions.ReconnectionTime"/> when the stream set none.
    /// </summary>
    public TimeSpan ReconnectionTime => _state.ReconnectionTime is long ms ? FromMilliseconds(ms) : _options.ReconnectionTime;

    /// <summary>How many connections were established (answered 200 with an event stream).</summary>
    public int ConnectionCount { get; private set; }

    /// <summary>How many connection attempts were made, successful or not.</summary>
    public int AttemptCount { get; private set; }

    /// <summary>
    /// The event read by the last <see cref="MoveNextAsync"/> that returned <see langword="true"/>;
    /// valid until the next call to <see cref="MoveNextAsync"/> or <see cref="DisposeAsync"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no current event.</exception>
    public SseEvent Current
    {
        get
        {
            if (!_hasCurrent)
            {
                ThrowHelper.ThrowInvalidOperation("There is no current event: call MoveNextAsync and check that it returned true.");
            }

            return _reader!.Current;
        }
    }

    /// <summary><see cref="LastEventId"/> as a string, cached while it does not change.</summary>
    /// <returns>The last event ID.</returns>
    public string GetLastEventIdString() => _state.GetLastEventIdString();

    /// <summary>Reads up to the next event, connecting and reconnecting as needed.</summary>
    /// <param name="cancellationToken">
    /// Cancels the connection attempt, the read or the wait before reconnecting. A read that is
    /// cancelled drops the connection (the state of a response stream after a cancelled read is
    /// undefined); the next call reconnects at once with <c>Last-Event-ID</c>.
    /// </param>
    /// <returns><see langword="true"/> with an event in <see cref="Current"/>; <see langword="false"/> once the server answered 204.</returns>
    /// <exception cref="SseConnectionException">The server refused the connection, or too many attempts failed. Every later call throws it again.</exception>
    /// <exception cref="SseLimitExceededException">The stream exceeds a parse limit. Every later call throws it again.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(ReconnectingSseReader));
        }

        _hasCurrent = false;
        _failure?.Throw();
        if (_ended)
        {
            return new ValueTask<bool>(false);
        }

        // The common case: the connection is up and the next event is already buffered.
        if (_reader is not null)
        {
            ValueTask<bool> next;
            try
            {
                next = _reader.MoveNextAsync(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex, cancellationToken))
            {
                return MoveNextSlowAsync(default, hasPending: false, ex, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Fail(ex);
                throw;
            }

            if (next.IsCompletedSuccessfully)
            {
                if (next.Result)
                {
                    OnEvent();
                    return new ValueTask<bool>(true);
                }

                return MoveNextSlowAsync(default, hasPending: false, null, cancellationToken);
            }

            return MoveNextSlowAsync(next, hasPending: true, null, cancellationToken);
        }

        return MoveNextSlowAsync(default, hasPending: false, null, cancellationToken);
    }

    /// <summary>
    /// The loop: finish the read in progress, if any; when the connection has ended, (re)connect
    /// after the delay; until an event arrives. Without <paramref name="hasPending"/>, the current
    /// connection (if any) has ended, with <paramref name="failure"/> or cleanly.
    /// </summary>
#if NET6_0_OR_GREATER
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    private async ValueTask<bool> MoveNextSlowAsync(ValueTask<bool> pending, bool hasPending, Exception? failure, CancellationToken cancellationToken)
    {
        bool read = hasPending;
        while (true)
        {
            if (_reader is not null)
            {
                bool got = false;
                if (read)
                {
                    try
                    {
                        ValueTask<bool> next = hasPending ? pending : _reader.MoveNextAsync(cancellationToken);
                        hasPending = false;
                        got = await next.ConfigureAwait(false);
                    }
                    catch (Exception ex) when (cancellationToken.IsCancellationRequested)
                    {
                        // The caller stopped waiting; not a failure. The next call reconnects at once.
                        DropConnection();
                        if (ex is OperationCanceledException)
                        {
                            throw;
                        }

                        throw new OperationCanceledException("The read was cancelled.", ex, cancellationToken);
                    }
                    catch (Exception ex) when (IsTransient(ex, cancellationToken))
                    {
                        failure = ex;
                    }
                    catch (Exception ex)
                    {
                        Fail(ex);
                        throw;
                    }
                }

                if (got)
                {
                    OnEvent();
                    return true;
                }

                // Spec: the connection closed, "gracefully or unexpectedly": reestablish it.
                EndConnection(failure);
                failure = null;
            }

            if (_delayPending)
            {
                await DelayAsync(NextDelay(), cancellationToken).ConfigureAwait(false);
                _delayPending = false;
            }

            if (!await ConnectAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            read = true;
        }
    }

    private void OnEvent()
    {
        _hasCurrent = true;
        _connectionDeliveredEvents = true;
        _failures = 0;
    }

    /// <summary>Connects; false when the server said 204 (the end). A retryable failure leaves no reader and a delay pending.</summary>
    private async ValueTask<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        HttpRequestMessage request = _createRequest() ?? throw new InvalidOperationException("The request factory returned null.");
        PrepareRequest(request);
        AttemptCount++;
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex, cancellationToken))
        {
            request.Dispose();
            Failed(ex);
            return true;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            request.Dispose();
            throw new OperationCanceledException("The connection attempt was cancelled.", ex, cancellationToken);
        }
        catch
        {
            request.Dispose();
            throw;
        }

        int status = (int)response.StatusCode;
        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (status == 204)
        {
            // Spec: "HTTP 204 No Content ... prevent the user agent from reconnecting".
            response.Dispose();
            request.Dispose();
            _ended = true;
            return false;
        }

        if (status != 200)
        {
            response.Dispose();
            request.Dispose();
            var error = new SseConnectionException(
                SseConnectionFailure.HttpStatus,
                $"The event source answered HTTP {status} {response.ReasonPhrase}.",
                status,
                mediaType,
                _failures + 1);
            if (!_options.IsRetryableStatus(status))
            {
                Fail(error);
                throw error;
            }

            _retryAfter = RetryAfterHeader.Read(response) ?? TimeSpan.Zero;
            Failed(error);
            return true;
        }

        // Spec: a 200 whose Content-Type is not text/event-stream fails the connection.
        if (!string.Equals(mediaType, SseWriter.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            response.Dispose();
            request.Dispose();
            var error = new SseConnectionException(
                SseConnectionFailure.ContentType,
                $"The event source answered HTTP 200 with content type '{mediaType ?? "none"}', not text/event-stream.",
                status,
                mediaType,
                _failures + 1);
            Fail(error);
            throw error;
        }

        Stream body;
        try
        {
#if NET5_0_OR_GREATER
            body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
#else
            body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
#endif
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex, cancellationToken))
        {
            response.Dispose();
            request.Dispose();
            Failed(ex);
            return true;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            response.Dispose();
            request.Dispose();
            throw new OperationCanceledException("The connection attempt was cancelled.", ex, cancellationToken);
        }
        catch
        {
            response.Dispose();
            request.Dispose();
            throw;
        }

        request.Dispose();
        _state.ResetForReconnect();
        _response = response;
        _reader = new SseReader(PipeReader.Create(body), _state, leaveOpen: false);
        _connectionDeliveredEvents = false;
        ConnectionCount++;
        return true;
    }

    private void PrepareRequest(HttpRequestMessage request)
    {
        HttpRequestHeaders headers = request.Headers;
        if (headers.Accept.Count == 0)
        {
            headers.Accept.Add(new MediaTypeWithQualityHeaderValue(SseWriter.ContentType));
        }

        headers.CacheControl ??= new CacheControlHeaderValue { NoCache = true };

        // Spec: "If the EventSource object's last event ID string is not the empty string, set
        // (`Last-Event-ID`, lastEventIDValue) in request's header list."
        if (_state.LastEventId.Length > 0)
        {
            headers.Remove("Last-Event-ID");
            headers.TryAddWithoutValidation("Last-Event-ID", _state.GetLastEventIdString());
        }
    }

    /// <summary>The connection ended (cleanly when <paramref name="failure"/> is null): release it and plan the next attempt.</summary>
    private void EndConnection(Exception? failure)
    {
        bool delivered = _connectionDeliveredEvents;
        DropConnection();
        if (delivered)
        {
            _delayPending = true;
            return;
        }

        Failed(failure ?? new IOException("The event source closed the connection without sending an event."));
    }

    /// <summary>An attempt failed in a retryable way: count it, give up past MaxAttempts, else wait before the next.</summary>
    private void Failed(Exception failure)
    {
        _failures++;
        _delayPending = true;
        if (_options.MaxAttempts is int max && _failures >= max)
        {
            var error = new SseConnectionException(
                SseConnectionFailure.AttemptsExhausted,
                $"Gave up after {_failures} connection attempts in a row failed; the last: {failure.Message}",
                (failure as SseConnectionException)?.HttpStatus,
                (failure as SseConnectionException)?.MediaType,
                _failures,
                failure);
            Fail(error);
            throw error;
        }
    }

    /// <summary>The reader stops for good: every later call rethrows <paramref name="error"/>.</summary>
    private void Fail(Exception error)
    {
        DropConnection();
        _ended = true;
        _failure = ExceptionDispatchInfo.Capture(error);
    }

    private void DropConnection()
    {
        _reader?.Dispose();
        _reader = null;
        _response?.Dispose();
        _response = null;
        _hasCurrent = false;
    }

    /// <summary>
    /// The wait before the next attempt: the reconnection time; after failures in a row, times
    /// the multiplier per failure beyond the first, capped (never below the server's retry); at
    /// least a retryable response's Retry-After; then up to <see cref="SseReconnectOptions.Jitter"/> more.
    /// </summary>
    internal TimeSpan NextDelay()
    {
        double baseMs = ReconnectionTime.TotalMilliseconds;
        double ms = baseMs;
        if (_failures > 1)
        {
            double cap = Math.Max(_options.MaxBackoff.TotalMilliseconds, baseMs);
            ms = Math.Min(baseMs * Math.Pow(_options.BackoffMultiplier, _failures - 1), cap);
        }

        ms = Math.Max(ms, _retryAfter.TotalMilliseconds);
        _retryAfter = TimeSpan.Zero;
        ms *= 1 + (_options.Jitter * _random.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelayMilliseconds));
    }

    // Task.Delay's limit on every target (int.MaxValue ms, about 24.8 days).
    private const double MaxDelayMilliseconds = int.MaxValue;

    private static TimeSpan FromMilliseconds(long ms) => TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelayMilliseconds));

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        _options.Delay is { } delayAsync ? delayAsync(delay, cancellationToken) : Task.Delay(delay, cancellationToken);

    /// <summary>A network failure worth reconnecting for; not a parse limit, not the caller's cancellation.</summary>
    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        SseLimitExceededException => false,
        SseConnectionException => false,
        IOException or HttpRequestException => true,

        // HttpClient.Timeout elapsing, or a handler cancelling on its own: not the caller's token.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static Func<HttpRequestMessage> CreateGet(Uri requestUri)
    {
        if (requestUri is null)
        {
            throw new ArgumentNullException(nameof(requestUri));
        }

        return () => new HttpRequestMessage(HttpMethod.Get, requestUri);
    }

    /// <summary>Closes the current connection and returns the pooled buffers.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    /// <summary>Closes the current connection and returns the pooled buffers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        DropConnection();
        _state.Dispose();
    }
}
