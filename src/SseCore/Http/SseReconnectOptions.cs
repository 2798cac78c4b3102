using System;
using System.Threading;
using System.Threading.Tasks;

namespace SseCore;

/// <summary>
/// How a <see cref="ReconnectingSseReader"/> waits and when it gives up. An instance may be shared
/// by any number of readers; it must not be changed while a reader uses it.
/// </summary>
public sealed class SseReconnectOptions
{
    private TimeSpan _reconnectionTime = TimeSpan.FromSeconds(3);
    private TimeSpan _maxBackoff = TimeSpan.FromSeconds(60);
    private double _backoffMultiplier = 2;
    private double _jitter = 0.2;
    private int? _maxAttempts;
    private Func<int, bool> _isRetryableStatus = IsRetryableStatusDefault;

    /// <summary>
    /// The reconnection time until the stream sets one with a <c>retry</c> field. The spec leaves it
    /// to the client ("a user-agent-defined value, probably in the region of a few seconds"); 3 s by default.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan ReconnectionTime
    {
        get => _reconnectionTime;
        set => _reconnectionTime = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The reconnection time cannot be negative.");
    }

    /// <summary>
    /// Each further attempt in a row that fails waits this many times longer than the one before
    /// (2 by default); 1 for a constant delay.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 or not a number.</exception>
    public double BackoffMultiplier
    {
        get => _backoffMultiplier;
        set => _backoffMultiplier = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The multiplier must be at least 1.");
    }

    /// <summary>
    /// The cap on the backed-off delay (60 s by default), before jitter. A reconnection time set by
    /// the stream that is longer than the cap is still honoured: the cap limits growth, it never
    /// shortens what the server asked for.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MaxBackoff
    {
        get => _maxBackoff;
        set => _maxBackoff = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The cap cannot be negative.");
    }

    /// <summary>
    /// Up to this fraction of the delay is added at random (0.2 by default: 0–20% longer), so that
    /// many clients dropped at once do not reconnect at once. 0 for none. Jitter only lengthens the
    /// delay, so the server's <c>retry</c> is a minimum.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 0 and 1.</exception>
    public double Jitter
    {
        get => _jitter;
        set => _jitter = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The jitter must be between 0 and 1.");
    }

    /// <summary>
    /// How many connection attempts in a row may fail — not connect, answer a retryable status, or
    /// end without delivering an event — before the reader gives up with
    /// <see cref="SseConnectionException"/> (<see cref="SseConnectionFailure.AttemptsExhausted"/>).
    /// <see langword="null"/> (the default) retries forever. A connection that delivers an event
    /// starts the count again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? MaxAttempts
    {
        get => _maxAttempts;
        set => _maxAttempts = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one attempt is needed.");
    }

    /// <summary>
    /// Which HTTP statuses other than 200 and 204 are worth another attempt. The spec fails the
    /// connection for every such status; by default this reader also retries 408, 429, 500, 502,
    /// 503 and 504 (transient by definition), waiting at least the response's <c>Retry-After</c>.
    /// Any other status throws <see cref="SseConnectionException"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public Func<int, bool> IsRetryableStatus
    {
        get => _isRetryableStatus;
        set => _isRetryableStatus = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// The last event ID to resume from on the first connection (sent as <c>Last-Event-ID</c>), for
    /// a client that stored it; <see langword="null"/> for none.
    /// </summary>
    public string? LastEventId { get; set; }

    /// <summary>The parser's limits; <see langword="null"/> for the defaults.</summary>
    public SseParserOptions? ParserOptions { get; set; }

    /// <summary>
    /// How the reader waits before reconnecting; <see langword="null"/> for
    /// <see cref="Task.Delay(TimeSpan, CancellationToken)"/>. Tests (and callers with their own
    /// timers) supply a function that completes when the delay has passed, or throws
    /// <see cref="OperationCanceledException"/> when the token is cancelled.
    /// </summary>
    public Func<TimeSpan, CancellationToken, Task>? Delay { get; set; }

    /// <summary>The default of <see cref="IsRetryableStatus"/>: 408, 429, 500, 502, 503, 504.</summary>
    /// <param name="status">The HTTP status code.</param>
    /// <returns>Whether another attempt may succeed.</returns>
    public static bool IsRetryableStatusDefault(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;
}
