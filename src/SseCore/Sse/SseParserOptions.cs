using System;
using System.Threading;

namespace SseCore;

/// <summary>
/// Limits that bound the memory a parser may use, and the time a reader may wait for bytes,
/// whatever the input. An instance may be shared by any number of parsers; it must not be changed
/// while a parser uses it.
/// </summary>
public sealed class SseParserOptions
{
    /// <summary>The default <see cref="MaxLineLength"/>: 4 MiB.</summary>
    public const int DefaultMaxLineLength = 4 * 1024 * 1024;

    /// <summary>The default <see cref="MaxEventSize"/>: 16 MiB.</summary>
    public const int DefaultMaxEventSize = 16 * 1024 * 1024;

    /// <summary>The longest <see cref="IdleTimeout"/> accepted (what a timer can wait: about 24.8 days).</summary>
    private static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    private int _maxLineLength = DefaultMaxLineLength;
    private int _maxEventSize = DefaultMaxEventSize;
    private TimeSpan _idleTimeout = Timeout.InfiniteTimeSpan;

    /// <summary>Options with the default limits. Do not modify; create a new instance instead.</summary>
    internal static SseParserOptions Default { get; } = new SseParserOptions();

    /// <summary>
    /// The longest line accepted, in bytes, not counting its line end. A line that grows past it
    /// raises <see cref="SseLimitExceededException"/> as soon as the excess byte arrives, without
    /// waiting for the line end, so a stream that never sends one cannot grow memory.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxLineLength
    {
        get => _maxLineLength;
        set => _maxLineLength = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>
    /// The largest data buffer of one event, in bytes: its <c>data</c> lines joined by LF. An event
    /// whose data grows past it raises <see cref="SseLimitExceededException"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxEventSize
    {
        get => _maxEventSize;
        set => _maxEventSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>
    /// The longest a reader waits for the stream's next bytes before it gives up with
    /// <see cref="SseIdleTimeoutException"/>; <see cref="Timeout.InfiniteTimeSpan"/> (the default)
    /// waits as long as the source does. Any bytes reset it — comments too, so a server's
    /// keep-alives keep a stream alive. It is measured from each wait's start, so time the caller
    /// spends between reads does not count; bytes already buffered are read without waiting.
    /// </summary>
    /// <remarks>
    /// Honoured by <see cref="SseReader"/>, <see cref="SseParser.ParseAsync{THandler}"/> and what
    /// is built on them (<c>MessageStream</c>, <c>AnthropicHttp.SendMessageStreamAsync</c>, where it
    /// also bounds reading an error body). It covers the body only: the wait for response headers
    /// is the HTTP client's timeout. The caller's own cancellation stays an
    /// <see cref="OperationCanceledException"/>. When the timeout fires the reader cancels the
    /// pending read (<see cref="System.IO.Pipelines.PipeReader.CancelPendingRead"/>), which for a
    /// stream's pipe cancels the stream's read; the stream cannot be read further.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, negative (other than infinite) or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan IdleTimeout
    {
        get => _idleTimeout;
        set => _idleTimeout = value == Timeout.InfiniteTimeSpan || (value > TimeSpan.Zero && value <= MaxIdleTimeout)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The idle timeout must be positive and at most int.MaxValue milliseconds, or Timeout.InfiniteTimeSpan.");
    }

    /// <summary>Whether <see cref="IdleTimeout"/> is set.</summary>
    internal bool HasIdleTimeout => _idleTimeout != Timeout.InfiniteTimeSpan;
}
