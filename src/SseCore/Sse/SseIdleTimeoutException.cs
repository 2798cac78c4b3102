using System;
using System.IO;

namespace SseCore;

/// <summary>
/// Thrown when no bytes of an event stream arrived for <see cref="SseParserOptions.IdleTimeout"/>.
/// The stream cannot be read further: the pending read was canceled, which for a network stream
/// tears the connection down.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/>, as a socket read that times out does
/// (<c>NetworkStream</c> with a <c>ReadTimeout</c>): code that reads a stream already catches that
/// for a connection that cannot go on. It is not an <see cref="OperationCanceledException"/>, which
/// stays the caller's own cancellation.
/// </remarks>
public sealed class SseIdleTimeoutException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="idleTimeout">The configured idle timeout.</param>
    /// <param name="byteOffset">The offset in the stream of the byte that did not arrive (the count of bytes received).</param>
    /// <param name="innerException">What the canceled read threw, if anything.</param>
    public SseIdleTimeoutException(TimeSpan idleTimeout, long byteOffset, Exception? innerException = null)
        : base($"No bytes arrived for {idleTimeout.TotalMilliseconds:0} ms (IdleTimeout) at byte offset {byteOffset}: the event stream stalled.", innerException)
    {
        IdleTimeout = idleTimeout;
        ByteOffset = byteOffset;
    }

    /// <summary>The configured idle timeout that elapsed.</summary>
    public TimeSpan IdleTimeout { get; }

    /// <summary>The offset in the stream (from its first byte, BOM included) of the byte that did not arrive: how many bytes were received.</summary>
    public long ByteOffset { get; }
}
