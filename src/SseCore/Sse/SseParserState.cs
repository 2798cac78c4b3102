using System;
using SseCore.Internal;

namespace SseCore;

/// <summary>
/// Receives the text of a comment line (the bytes after its leading <c>:</c>). Servers send
/// comments as keep-alives. The span is valid only during the call.
/// </summary>
/// <param name="comment">The comment text as UTF-8, without the leading colon and line end.</param>
public delegate void SseCommentHandler(ReadOnlySpan<byte> comment);

/// <summary>
/// What an event stream parse carries from one buffer to the next: a pending CR, whether the BOM
/// was seen, the line and event being built, the last event ID and the reconnection time.
/// </summary>
/// <remarks>
/// <para>
/// Create one state per stream and pass it to every <see cref="SseTokenizer"/> built over that
/// stream's buffers, in order. Unlike <c>JsonReaderState</c> this is a class: it owns pooled
/// scratch buffers, and a struct copy would alias them (a stale copy could touch an array already
/// returned to the pool). One allocation per stream, none per event.
/// </para>
/// <para>
/// Dispose it when the stream is done to return its buffers to the pool. Not thread-safe.
/// </para>
/// </remarks>
public sealed class SseParserState : IDisposable
{
    private readonly SseParserOptions _options;
    private string? _lastEventIdString;
    private byte[] _lastEventIdBytes = [];
    private StringCache? _typeCache;

    // The line being built when a line crosses buffers (the only bytes ever copied for lines).
    internal PooledBuffer Line;

    // The event being built: type buffer and data buffer (lines joined by LF, without the trailing LF).
    // The data starts at DataStart: when the first data line crossed buffers, the line buffer
    // itself becomes the data buffer (its "data: " prefix skipped) instead of being copied.
    internal PooledBuffer Type;
    internal PooledBuffer Data;
    internal int DataStart;
    internal bool HasData;

    // Spec: the "last event ID buffer" (set by id lines) and the last event ID string it is
    // committed to at each blank line.
    internal PooledBuffer IdBuffer;
    internal PooledBuffer LastId;
    internal bool IdDirty;

    internal long? Retry;

    internal bool BomDone;
    internal int BomMatched;
    internal bool SkipLf;
    internal bool Completed;

    // Set when an event (or comment) was handed out; its spans live until the next read.
    internal bool ResetPending;
    internal bool LineResetPending;

    // Data of the event handed out when it is a slice of the input rather than of Data.
    internal ReadOnlyMemory<byte> DispatchedData;
    internal bool DispatchedInPlace;
    internal ReadOnlyMemory<byte> DispatchedType;
    internal bool DispatchedTypeInPlace;

    internal long Offset;
    internal long LineStart;

    /// <summary>The data of the event being built (without the field name of a taken-over line).</summary>
    internal ReadOnlySpan<byte> DataSpan => Data.Span.Slice(DataStart);

    /// <summary>The data's length.</summary>
    internal int DataLength => Data.Length - DataStart;

    /// <summary>Empties the data buffer.</summary>
    internal void ClearData()
    {
        Data.Clear();
        DataStart = 0;
    }

    /// <summary>
    /// Makes the line buffer, which holds a complete <c>data</c> line whose value starts at
    /// <paramref name="valueIndex"/>, the (empty) data buffer's replacement: a line that crossed
    /// buffers is then copied once (into the line buffer), not twice.
    /// </summary>
    internal void TakeLineAsData(int valueIndex)
    {
        (Data, Line) = (Line, Data);
        DataStart = valueIndex;
    }
    internal long EventStart;
    internal long NextEventStart;
    internal long EventCount;

    /// <summary>Creates the state for one new stream.</summary>
    /// <param name="options">Limits; <see langword="null"/> for the defaults.</param>
    public SseParserState(SseParserOptions? options = null)
    {
        _options = options ?? SseParserOptions.Default;
    }

    /// <summary>The limits this parse enforces.</summary>
    public SseParserOptions Options => _options;

    /// <summary>
    /// Called for each comment line, as it is parsed, when set. Servers send comments as
    /// keep-alives; this is how a caller can observe them.
    /// </summary>
    public SseCommentHandler? CommentHandler { get; set; }

    /// <summary>
    /// The last event ID string as UTF-8: the value of the last valid <c>id</c> field, committed
    /// at each blank line (as the spec's dispatch step 1 does), empty when none. This is what a
    /// reconnecting client sends as <c>Last-Event-ID</c>. Valid until the next parse call.
    /// </summary>
    public ReadOnlySpan<byte> LastEventId => LastId.Span;

    /// <summary>
    /// The reconnection time in milliseconds last set by a valid <c>retry</c> field, or
    /// <see langword="null"/> when the stream set none. Values too large for a
    /// <see cref="long"/> saturate at <see cref="long.MaxValue"/>.
    /// </summary>
    public long? ReconnectionTime => Retry;

    /// <summary>How many bytes of the stream were consumed so far (the BOM included).</summary>
    public long BytesConsumed => Offset;

    /// <summary>How many events were dispatched so far.</summary>
    public long EventsDispatched => EventCount;

    /// <summary>Whether the final block was parsed: the stream ended and nothing more will be dispatched.</summary>
    public bool IsCompleted => Completed;

    /// <summary>
    /// <see cref="LastEventId"/> as a string. The string is cached and reused until the ID
    /// changes, so polling it per event allocates only when the ID changes.
    /// </summary>
    public string GetLastEventIdString()
    {
        ReadOnlySpan<byte> id = LastId.Span;
        if (_lastEventIdString is null || !id.SequenceEqual(_lastEventIdBytes))
        {
            _lastEventIdBytes = id.ToArray();
            _lastEventIdString = Utf8Util.GetString(id);
        }

        return _lastEventIdString;
    }

    /// <summary>
    /// The event just dispatched, as a view; <paramref name="type"/> and <paramref name="data"/>
    /// are where its type and data lie (the input, or <see cref="Type"/> and <see cref="Data"/>).
    /// </summary>
    internal SseEvent CreateEvent(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data) =>
        new(type.IsEmpty ? SseEvent.DefaultEventType : type, data, LastId.Span, Retry, EventStart, EventCount, this);

    internal string GetEventTypeString(ReadOnlySpan<byte> type) => (_typeCache ??= new StringCache()).Get(type);

    /// <summary>
    /// Prepares the state for a new connection to the same event source: forgets the partial
    /// line, the event being built, the pending CR and the BOM, and keeps
    /// <see cref="LastEventId"/>, <see cref="ReconnectionTime"/> and the counters, as an
    /// EventSource does when it reconnects.
    /// </summary>
    public void ResetForReconnect()
    {
        Line.Clear();
        Type.Clear();
        ClearData();
        HasData = false;
        IdBuffer.Set(LastId.Span);
        IdDirty = false;
        BomDone = false;
        BomMatched = 0;
        SkipLf = false;
        Completed = false;
        ResetPending = false;
        LineResetPending = false;
        DispatchedData = default;
        DispatchedInPlace = false;
        DispatchedType = default;
        DispatchedTypeInPlace = false;
        EventStart = Offset;
    }

    /// <summary>Returns the pooled buffers. The state must not be used afterwards.</summary>
    public void Dispose()
    {
        Completed = true;
        DispatchedData = default;
        DispatchedType = default;
        Line.Release();
        Type.Release();
        Data.Release();
        IdBuffer.Release();
        LastId.Release();
    }

}
