using System;
using System.Buffers;
using System.IO;
using System.Text.Json;

namespace SseCore.Cli.Output;

/// <summary>
/// <c>--jsonl</c>: one JSON object per event, <c>{"type":"...","data":"...","id":"..."}</c>, and
/// after the last one <c>{"end":true,"lastEventId":"...","retry":N}</c> (<c>null</c> when the
/// stream set no reconnection time). Each object is followed by one LF.
/// </summary>
/// <remarks>
/// The strings are written from the event's UTF-8 spans without decoding them to
/// <see cref="string"/>s; <see cref="MinimalJsonEncoder"/> defines the escaping and the
/// replacement of invalid UTF-8.
/// </remarks>
internal sealed class JsonLinesSink : BufferedSink, IEventSink
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = MinimalJsonEncoder.Instance,
        Indented = false,
    };

    // Utf8JsonWriter refuses a single value over ~166 MB (int.MaxValue / 6 for the worst-case
    // escaping); --max-event-size allows up to 2 GiB, so long values go in segments.
    private const int DefaultSegmentLength = 16 * 1024 * 1024;

    private readonly Utf8JsonWriter _json;
    private readonly int _segmentLength;

    /// <summary>Creates the sink.</summary>
    /// <param name="output">Where the lines go; not disposed by the sink.</param>
    public JsonLinesSink(Stream output)
        : this(output, DefaultSegmentLength)
    {
    }

    /// <summary>Creates the sink with a given segment length (for tests).</summary>
    /// <param name="output">Where the lines go; not disposed by the sink.</param>
    /// <param name="segmentLength">Values longer than this are written in segments of this many bytes.</param>
    internal JsonLinesSink(Stream output, int segmentLength)
        : base(output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentLength, 1);
        _json = new Utf8JsonWriter(Pending, WriterOptions);
        _segmentLength = segmentLength;
    }

    /// <inheritdoc />
    public void WriteEvent(SseEvent sseEvent)
    {
        _json.Reset();
        _json.WriteStartObject();
        WriteString("type"u8, sseEvent.EventType);
        WriteString("data"u8, sseEvent.Data);
        WriteString("id"u8, sseEvent.LastEventId);
        _json.WriteEndObject();
        EndLine();
    }

    /// <inheritdoc />
    public void WriteEnd(SseParserState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteBoolean("end"u8, true);
        WriteString("lastEventId"u8, state.LastEventId);
        if (state.ReconnectionTime is long retry)
        {
            _json.WriteNumber("retry"u8, retry);
        }
        else
        {
            _json.WriteNull("retry"u8);
        }

        _json.WriteEndObject();
        EndLine();
    }

    /// <inheritdoc />
    protected override void OnPendingReplaced(ArrayBufferWriter<byte> pending) => _json.Reset(pending);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _json.Dispose();
        }

        base.Dispose(disposing);
    }

    private void WriteString(ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8Value)
    {
        if (utf8Value.Length <= _segmentLength)
        {
            _json.WriteString(name, utf8Value);
            return;
        }

        // The writer carries a UTF-8 sequence cut by a segment boundary over to the next segment.
        _json.WritePropertyName(name);
        while (utf8Value.Length > _segmentLength)
        {
            _json.WriteStringValueSegment(utf8Value.Slice(0, _segmentLength), isFinalSegment: false);
            utf8Value = utf8Value.Slice(_segmentLength);
        }

        _json.WriteStringValueSegment(utf8Value, isFinalSegment: true);
    }

    private void EndLine()
    {
        _json.Flush();
        Pending.Write("\n"u8);
    }
}
