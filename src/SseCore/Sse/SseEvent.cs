using System;
using SseCore.Internal;

namespace SseCore;

/// <summary>
/// One dispatched event: a view over the parser's buffers, not a copy.
/// </summary>
/// <remarks>
/// The spans are valid until the next call that reads from the same parser (the next
/// <see cref="SseTokenizer.TryRead(out SseEvent)"/>, <see cref="SseReader.MoveNextAsync"/> or
/// handler callback) and, when the data is a slice of the input, until the input is released
/// (for a <see cref="System.IO.Pipelines.PipeReader"/>, until it is advanced). Copy what you keep.
/// </remarks>
public readonly ref struct SseEvent
{
    private readonly SseParserState? _state;

    internal SseEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data, ReadOnlySpan<byte> lastEventId, long? reconnectionTime, long streamOffset, long eventNumber, SseParserState state)
    {
        EventType = eventType;
        Data = data;
        LastEventId = lastEventId;
        ReconnectionTime = reconnectionTime;
        StreamOffset = streamOffset;
        EventNumber = eventNumber;
        _state = state;
    }

    /// <summary>The UTF-8 bytes of <c>message</c>, the type of an event without an <c>event</c> field.</summary>
    public static ReadOnlySpan<byte> DefaultEventType => "message"u8;

    /// <summary>
    /// The event type as UTF-8: the value of the last <c>event</c> field of this event, or
    /// <c>message</c> when there was none or it was empty.
    /// </summary>
    public ReadOnlySpan<byte> EventType { get; }

    /// <summary>
    /// The data as UTF-8: the values of the event's <c>data</c> fields joined by LF. A single
    /// <c>data</c> line that arrived with its blank line in one buffer is a slice of the input.
    /// </summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The last event ID in force for this event as UTF-8 (it persists across events); empty when none.</summary>
    public ReadOnlySpan<byte> LastEventId { get; }

    /// <summary>
    /// The reconnection time in milliseconds last set by the stream's <c>retry</c> field (up to
    /// and including this event), or <see langword="null"/> when none was set.
    /// </summary>
    public long? ReconnectionTime { get; }

    /// <summary>The offset in the stream of the first byte of this event's first line.</summary>
    public long StreamOffset { get; }

    /// <summary>The ordinal of this event in its stream, starting at 1.</summary>
    public long EventNumber { get; }

    /// <summary>Whether <see cref="EventType"/> equals <paramref name="utf8EventType"/>, byte for byte.</summary>
    /// <param name="utf8EventType">An event type as UTF-8, e.g. <c>"message_start"u8</c>.</param>
    public bool EventTypeEquals(ReadOnlySpan<byte> utf8EventType) => EventType.SequenceEqual(utf8EventType);

    /// <summary>
    /// <see cref="EventType"/> as a string. Types seen before on the same stream come from a cache,
    /// so the few types a stream uses allocate once.
    /// </summary>
    public string GetEventTypeString()
    {
        if (EventType.SequenceEqual(DefaultEventType))
        {
            return "message";
        }

        return _state is null ? Utf8Util.GetString(EventType) : _state.GetEventTypeString(EventType);
    }

    /// <summary>
    /// <see cref="Data"/> decoded to a new string (invalid UTF-8 becomes U+FFFD). This allocates:
    /// use <see cref="Data"/> on hot paths.
    /// </summary>
    public string GetDataString() => Utf8Util.GetString(Data);

    /// <summary><see cref="LastEventId"/> as a string, cached while it does not change.</summary>
    public string GetLastEventIdString() => _state is null ? Utf8Util.GetString(LastEventId) : _state.GetLastEventIdString();
}
