using System.IO;

namespace SseCore;

/// <summary>Which limit of <see cref="SseParserOptions"/> a stream exceeded.</summary>
public enum SseLimit
{
    /// <summary><see cref="SseParserOptions.MaxLineLength"/>.</summary>
    LineLength,

    /// <summary><see cref="SseParserOptions.MaxEventSize"/>.</summary>
    EventSize,
}

/// <summary>
/// Thrown when an event stream exceeds a limit of <see cref="SseParserOptions"/>. The stream
/// cannot be parsed further: the parser state is left unusable.
/// </summary>
/// <remarks>
/// <see cref="InvalidDataException"/> is sealed, so this derives from <see cref="IOException"/>:
/// code that reads a stream already catches that for a connection that cannot go on.
/// </remarks>
public sealed class SseLimitExceededException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="limit">Which limit was exceeded.</param>
    /// <param name="limitValue">The configured value of that limit, in bytes.</param>
    /// <param name="byteOffset">The offset in the stream of the first byte past the limit.</param>
    public SseLimitExceededException(SseLimit limit, long limitValue, long byteOffset)
        : base(limit == SseLimit.LineLength
            ? $"The event stream has a line longer than the limit of {limitValue} bytes (MaxLineLength) at byte offset {byteOffset}."
            : $"The event stream has an event whose data is larger than the limit of {limitValue} bytes (MaxEventSize) at byte offset {byteOffset}.")
    {
        Limit = limit;
        LimitValue = limitValue;
        ByteOffset = byteOffset;
    }

    /// <summary>Which limit was exceeded.</summary>
    public SseLimit Limit { get; }

    /// <summary>The configured value of the limit, in bytes.</summary>
    public long LimitValue { get; }

    /// <summary>The offset in the stream (from its first byte, BOM included) of the first byte past the limit.</summary>
    public long ByteOffset { get; }
}
