namespace SseCore;

/// <summary>An event copied out of the parser into strings: the allocating convenience tier.</summary>
public sealed class SseMessage
{
    /// <summary>Creates a message.</summary>
    /// <param name="eventType">The event type (<c>message</c> by default).</param>
    /// <param name="data">The data.</param>
    /// <param name="lastEventId">The last event ID in force, empty when none.</param>
    /// <param name="reconnectionTime">The reconnection time in milliseconds last set by the stream, or <see langword="null"/>.</param>
    public SseMessage(string eventType, string data, string lastEventId, long? reconnectionTime)
    {
        EventType = eventType;
        Data = data;
        LastEventId = lastEventId;
        ReconnectionTime = reconnectionTime;
    }

    /// <summary>The event type (<c>message</c> by default).</summary>
    public string EventType { get; }

    /// <summary>The data, decoded from UTF-8 (invalid sequences become U+FFFD).</summary>
    public string Data { get; }

    /// <summary>The last event ID in force, empty when none.</summary>
    public string LastEventId { get; }

    /// <summary>The reconnection time in milliseconds last set by the stream, or <see langword="null"/>.</summary>
    public long? ReconnectionTime { get; }

    /// <summary>Copies an event.</summary>
    /// <param name="sseEvent">The event.</param>
    /// <returns>The copy.</returns>
    public static SseMessage From(SseEvent sseEvent) =>
        new(sseEvent.GetEventTypeString(), sseEvent.GetDataString(), sseEvent.GetLastEventIdString(), sseEvent.ReconnectionTime);
}
