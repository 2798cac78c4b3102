using System;
using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.IO.Pipelines;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Internal;

namespace SseCore;

/// <summary>
/// Writes an event stream (<c>text/event-stream</c>) to an <see cref="IBufferWriter{T}"/>, a
/// <see cref="PipeWriter"/> (such as ASP.NET Core's <c>HttpResponse.BodyWriter</c>) or a
/// <see cref="Stream"/>: events with a type, an ID and multi-line data, <c>retry</c> fields and
/// comments (keep-alives).
/// </summary>
/// <remarks>
/// <para>
/// Values are written as UTF-8 straight into the destination's buffer: the writer allocates
/// nothing per event, from byte spans or from <see cref="ReadOnlySpan{T}"/> of <see cref="char"/>
/// (encoded in place). Lines end with LF.
/// </para>
/// <para>
/// Data is split into lines at CR, LF and CRLF, as a parser splits them, and each line becomes one
/// <c>data</c> field: a parser gives back the same data with every line end as LF. Values that
/// cannot be framed are rejected before anything is written, with an
/// <see cref="ArgumentException"/> naming the value and the offending index: a CR or LF in an
/// event type or ID, a NUL in an ID (a parser would ignore the whole field), an unpaired surrogate
/// in a <see cref="char"/> value.
/// </para>
/// <para>
/// The writer only buffers: call <see cref="FlushAsync"/> after each event (or batch) to send it.
/// Not thread-safe.
/// </para>
/// </remarks>
public sealed class SseWriter : IAsyncDisposable, IDisposable
{
    private readonly IBufferWriter<byte> _destination;
    private readonly PipeWriter? _pipe;
    private readonly bool _ownsPipe;
    private bool _disposed;

    /// <summary>
    /// Creates a writer over a buffer writer. When <paramref name="destination"/> is a
    /// <see cref="PipeWriter"/>, <see cref="FlushAsync"/> flushes it. The writer does not own the
    /// destination: disposing the writer leaves it as it is.
    /// </summary>
    /// <param name="destination">Where the bytes go, e.g. <c>HttpResponse.BodyWriter</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    public SseWriter(IBufferWriter<byte> destination)
    {
        _destination = destination ?? throw new ArgumentNullException(nameof(destination));
        _pipe = destination as PipeWriter;
    }

    private SseWriter(PipeWriter pipe, bool ownsPipe)
    {
        _destination = pipe;
        _pipe = pipe;
        _ownsPipe = ownsPipe;
    }

    /// <summary>
    /// Creates a writer over a <see cref="Stream"/> (through
    /// <see cref="PipeWriter.Create(Stream, StreamPipeWriterOptions)"/>). Disposing the writer
    /// flushes what is buffered and, unless <paramref name="leaveOpen"/>, disposes the stream.
    /// </summary>
    /// <param name="stream">Where the bytes go.</param>
    /// <param name="leaveOpen">When <see langword="true"/>, disposing the writer leaves <paramref name="stream"/> open.</param>
    /// <returns>The writer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public static SseWriter Create(Stream stream, bool leaveOpen = false)
    {
        if (stream is null)
        {
            throw new ArgumentNullException(nameof(stream));
        }

        return new SseWriter(PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: leaveOpen)), ownsPipe: true);
    }

    /// <summary>The media type of an event stream, for the response's <c>Content-Type</c>.</summary>
    public static string ContentType => "text/event-stream";

    /// <summary>Writes an event: an <c>event</c> field unless <paramref name="eventType"/> is empty, the data, and the blank line that dispatches it.</summary>
    /// <param name="data">The data as UTF-8; empty data is an event with empty data (it is still dispatched). Any bytes are allowed.</param>
    /// <param name="eventType">The event type as UTF-8; empty for none (a parser reports <c>message</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> contains CR or LF.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteEvent(ReadOnlySpan<byte> data, ReadOnlySpan<byte> eventType = default)
    {
        ThrowIfDisposed();
        ValidateEventType(eventType);
        WriteEventCore(data, eventType);
    }

    /// <summary>
    /// Writes an event with an <c>id</c> field: a parser sets its last event ID to
    /// <paramref name="id"/>, the value a reconnecting client sends as <c>Last-Event-ID</c>.
    /// </summary>
    /// <param name="data">The data as UTF-8; any bytes are allowed.</param>
    /// <param name="eventType">The event type as UTF-8; empty for none.</param>
    /// <param name="id">The event ID as UTF-8; empty resets the client's last event ID.</param>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> contains CR or LF, or <paramref name="id"/> contains CR, LF or NUL.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteEvent(ReadOnlySpan<byte> data, ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> id)
    {
        ThrowIfDisposed();
        ValidateEventType(eventType);
        ValidateId(id);
        WriteEventCore(data, eventType, id, hasId: true);
    }

    /// <summary>Writes an event from UTF-16 text, encoded to UTF-8 without allocating.</summary>
    /// <param name="data">The data; empty data is an event with empty data.</param>
    /// <param name="eventType">The event type; empty for none (a parser reports <c>message</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> contains CR or LF, or a value contains an unpaired surrogate.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteEvent(ReadOnlySpan<char> data, ReadOnlySpan<char> eventType = default)
    {
        ThrowIfDisposed();
        int typeBytes = ValidateEventType(eventType);
        ValidateText(data, nameof(data));
        WriteEventCore(data, eventType, typeBytes, default, 0, hasId: false);
    }

    /// <summary>Writes an event with an <c>id</c> field from UTF-16 text, encoded to UTF-8 without allocating.</summary>
    /// <param name="data">The data.</param>
    /// <param name="eventType">The event type; empty for none.</param>
    /// <param name="id">The event ID; empty resets the client's last event ID.</param>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> contains CR or LF, <paramref name="id"/> contains CR, LF or NUL, or a value contains an unpaired surrogate.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteEvent(ReadOnlySpan<char> data, ReadOnlySpan<char> eventType, ReadOnlySpan<char> id)
    {
        ThrowIfDisposed();
        int typeBytes = ValidateEventType(eventType);
        int idBytes = ValidateId(id);
        ValidateText(data, nameof(data));
        WriteEventCore(data, eventType, typeBytes, id, idBytes, hasId: true);
    }

    /// <summary>
    /// Writes an event from strings — the overload for callers without implicit string-to-span
    /// conversion (.NET Framework) and for an optional ID: <see langword="null"/> writes no
    /// <c>id</c> field, an empty string writes one that resets the client's last event ID.
    /// </summary>
    /// <param name="data">The data.</param>
    /// <param name="eventType">The event type; <see langword="null"/> or empty for none.</param>
    /// <param name="id">The event ID; <see langword="null"/> for no <c>id</c> field.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> contains CR or LF, <paramref name="id"/> contains CR, LF or NUL, or a value contains an unpaired surrogate.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteEvent(string data, string? eventType = null, string? id = null)
    {
        if (data is null)
        {
            throw new ArgumentNullException(nameof(data));
        }

        if (id is null)
        {
            WriteEvent(data.AsSpan(), eventType.AsSpan());
        }
        else
        {
            WriteEvent(data.AsSpan(), eventType.AsSpan(), id.AsSpan());
        }
    }

    /// <summary>
    /// Writes a <c>retry</c> field: the client's reconnection time. It takes effect when the client
    /// parses the line, without waiting for an event.
    /// </summary>
    /// <param name="milliseconds">The reconnection time in milliseconds.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="milliseconds"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteRetry(long milliseconds)
    {
        ThrowIfDisposed();
        if (milliseconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "The reconnection time cannot be negative: a parser ignores a retry field that is not all digits.");
        }

        Span<byte> span = _destination.GetSpan(RetryPrefix.Length + 20 + 1);
        RetryPrefix.CopyTo(span);
        Utf8Formatter.TryFormat(milliseconds, span.Slice(RetryPrefix.Length), out int digits);
        int length = RetryPrefix.Length + digits;
        span[length] = (byte)'\n';
        _destination.Advance(length + 1);
    }

    /// <summary>Writes a <c>retry</c> field; see <see cref="WriteRetry(long)"/>. Whole milliseconds are written (the fraction is dropped).</summary>
    /// <param name="reconnectionTime">The reconnection time.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reconnectionTime"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteRetry(TimeSpan reconnectionTime) => WriteRetry(reconnectionTime.Ticks / TimeSpan.TicksPerMillisecond);

    /// <summary>Writes an empty comment line (<c>:</c>), the smallest keep-alive.</summary>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteComment() => WriteComment(ReadOnlySpan<byte>.Empty);

    /// <summary>
    /// Writes a comment: <c>:</c> followed by <paramref name="comment"/> exactly (a parser's comment
    /// hook sees the same bytes; write a leading space yourself if you want one). A comment with
    /// line ends is written as one comment line per line. Clients ignore comments; servers send
    /// them as keep-alives.
    /// </summary>
    /// <param name="comment">The comment text as UTF-8.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteComment(ReadOnlySpan<byte> comment)
    {
        ThrowIfDisposed();
        WriteLines(CommentPrefix, comment);
    }

    /// <summary>Writes a comment from UTF-16 text; see <see cref="WriteComment(ReadOnlySpan{byte})"/>.</summary>
    /// <param name="comment">The comment text.</param>
    /// <exception cref="ArgumentException"><paramref name="comment"/> contains an unpaired surrogate.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteComment(ReadOnlySpan<char> comment)
    {
        ThrowIfDisposed();
        ValidateText(comment, nameof(comment));
        WriteLines(CommentPrefix, comment);
    }

    /// <summary>Writes a comment from a string; see <see cref="WriteComment(ReadOnlySpan{byte})"/>.</summary>
    /// <param name="comment">The comment text; <see langword="null"/> for an empty comment.</param>
    /// <exception cref="ArgumentException"><paramref name="comment"/> contains an unpaired surrogate.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteComment(string? comment) => WriteComment(comment.AsSpan());

    /// <summary>
    /// Sends what was written: flushes the <see cref="PipeWriter"/> (or the stream). For a plain
    /// <see cref="IBufferWriter{T}"/> there is nothing to flush and this completes at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>The pipe's flush result: <see cref="FlushResult.IsCompleted"/> means the reader (the client) is gone.</returns>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _pipe is null ? default : _pipe.FlushAsync(cancellationToken);
    }

    /// <summary>For a writer made by <see cref="Create"/>: flushes and completes the pipe over the stream. Otherwise the destination is left as it is.</summary>
    /// <returns>A task that completes when the bytes are flushed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsPipe)
        {
            await _pipe!.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>For a writer made by <see cref="Create"/>: flushes and completes the pipe over the stream (synchronously). Otherwise the destination is left as it is.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsPipe)
        {
            _pipe!.Complete();
        }
    }

    private static ReadOnlySpan<byte> EventPrefix => "event: "u8;

    private static ReadOnlySpan<byte> IdPrefix => "id: "u8;

    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> RetryPrefix => "retry: "u8;

    private static ReadOnlySpan<byte> CommentPrefix => ":"u8;

    private void WriteEventCore(ReadOnlySpan<byte> data, ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> id = default, bool hasId = false)
    {
        if (!eventType.IsEmpty)
        {
            WriteLine(EventPrefix, eventType);
        }

        if (hasId)
        {
            WriteLine(IdPrefix, id);
        }

        WriteLines(DataPrefix, data);
        WriteBlankLine();
    }

    private void WriteEventCore(ReadOnlySpan<char> data, ReadOnlySpan<char> eventType, int typeBytes, ReadOnlySpan<char> id, int idBytes, bool hasId)
    {
        if (!eventType.IsEmpty)
        {
            WriteLine(EventPrefix, eventType, typeBytes);
        }

        if (hasId)
        {
            WriteLine(IdPrefix, id, idBytes);
        }

        WriteLines(DataPrefix, data);
        WriteBlankLine();
    }

    private void WriteBlankLine()
    {
        _destination.GetSpan(1)[0] = (byte)'\n';
        _destination.Advance(1);
    }

    /// <summary>One field line per line of <paramref name="value"/>, split at CR, LF and CRLF as a parser splits them.</summary>
    private void WriteLines(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> value)
    {
        while (true)
        {
            int end = value.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                WriteLine(prefix, value);
                return;
            }

            WriteLine(prefix, value.Slice(0, end));
            int skip = value[end] == (byte)'\r' && end + 1 < value.Length && value[end + 1] == (byte)'\n' ? 2 : 1;
            value = value.Slice(end + skip);
        }
    }

    private void WriteLines(ReadOnlySpan<byte> prefix, ReadOnlySpan<char> value)
    {
        while (true)
        {
            int end = value.IndexOfAny('\r', '\n');
            ReadOnlySpan<char> line = end < 0 ? value : value.Slice(0, end);
            WriteLine(prefix, line, Utf8Strict.GetByteCount(line));
            if (end < 0)
            {
                return;
            }

            int skip = value[end] == '\r' && end + 1 < value.Length && value[end + 1] == '\n' ? 2 : 1;
            value = value.Slice(end + skip);
        }
    }

    /// <summary>
    /// <paramref name="prefix"/> (e.g. <c>data: </c>), the value and LF. An empty value drops the
    /// prefix's space. Spec: "If value starts with a U+0020 SPACE character, remove it from value",
    /// and only one: a value that starts with a space keeps it behind the prefix's.
    /// </summary>
    private void WriteLine(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            prefix = TrimSpace(prefix);
        }

        int length = prefix.Length + value.Length + 1;
        Span<byte> span = _destination.GetSpan(length);
        prefix.CopyTo(span);
        value.CopyTo(span.Slice(prefix.Length));
        span[length - 1] = (byte)'\n';
        _destination.Advance(length);
    }

    private void WriteLine(ReadOnlySpan<byte> prefix, ReadOnlySpan<char> value, int valueBytes)
    {
        if (value.IsEmpty)
        {
            prefix = TrimSpace(prefix);
        }

        int length = prefix.Length + valueBytes + 1;
        Span<byte> span = _destination.GetSpan(length);
        prefix.CopyTo(span);
        Utf8Strict.GetBytes(value, span.Slice(prefix.Length, valueBytes));
        span[length - 1] = (byte)'\n';
        _destination.Advance(length);
    }

    private static ReadOnlySpan<byte> TrimSpace(ReadOnlySpan<byte> prefix) =>
        prefix[prefix.Length - 1] == (byte)' ' ? prefix.Slice(0, prefix.Length - 1) : prefix;

    private static void ValidateEventType(ReadOnlySpan<byte> eventType)
    {
        int at = eventType.IndexOfAny((byte)'\r', (byte)'\n');
        if (at >= 0)
        {
            ThrowLineEnd(nameof(eventType), "event type", at);
        }
    }

    private static int ValidateEventType(ReadOnlySpan<char> eventType)
    {
        int at = eventType.IndexOfAny('\r', '\n');
        if (at >= 0)
        {
            ThrowLineEnd(nameof(eventType), "event type", at);
        }

        return ValidateText(eventType, nameof(eventType));
    }

    private static void ValidateId(ReadOnlySpan<byte> id)
    {
        int at = id.IndexOfAny((byte)'\r', (byte)'\n', (byte)0);
        if (at >= 0)
        {
            ThrowBadId(at, id[at] == 0);
        }
    }

    private static int ValidateId(ReadOnlySpan<char> id)
    {
        int at = id.IndexOfAny('\r', '\n', '\0');
        if (at >= 0)
        {
            ThrowBadId(at, id[at] == '\0');
        }

        return ValidateText(id, nameof(id));
    }

    /// <summary>The UTF-8 length of <paramref name="text"/>; throws for an unpaired surrogate (it has no UTF-8 form, and replacing it would change the value silently).</summary>
    private static int ValidateText(ReadOnlySpan<char> text, string paramName)
    {
        try
        {
            return Utf8Strict.GetByteCount(text);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"The SSE {paramName} contains an unpaired surrogate at index {ex.Index}: it cannot be encoded as UTF-8.", paramName, ex);
        }
    }

    [DoesNotReturn]
    private static void ThrowLineEnd(string paramName, string what, int at) =>
        throw new ArgumentException($"An SSE {what} cannot contain CR or LF (found at index {at}): it would end the field's line and break the event's framing.", paramName);

    [DoesNotReturn]
    private static void ThrowBadId(int at, bool nul) =>
        throw new ArgumentException(
            nul
                ? $"An SSE event ID cannot contain NUL (found at index {at}): clients ignore an id field that contains it, so the ID would be lost."
                : $"An SSE event ID cannot contain CR or LF (found at index {at}): it would end the field's line and break the event's framing.",
            "id");

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SseWriter));
        }
    }
}
