using System;

namespace SseCore;

/// <summary>
/// Limits that bound the memory a parser may use, whatever the input. An instance may be shared by
/// any number of parsers; it must not be changed while a parser uses it.
/// </summary>
public sealed class SseParserOptions
{
    /// <summary>The default <see cref="MaxLineLength"/>: 4 MiB.</summary>
    public const int DefaultMaxLineLength = 4 * 1024 * 1024;

    /// <summary>The default <see cref="MaxEventSize"/>: 16 MiB.</summary>
    public const int DefaultMaxEventSize = 16 * 1024 * 1024;

    private int _maxLineLength = DefaultMaxLineLength;
    private int _maxEventSize = DefaultMaxEventSize;

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
}
