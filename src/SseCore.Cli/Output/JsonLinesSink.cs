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
internal sealed class JsonLinesSink : BufferedSink
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = MinimalJsonEncoder.Instance,
        Indented = false,
    };

    private readonly Utf8JsonWriter _json;

    /// <summary>Creates the sink.</summary>
    /// <param name="output">Where the lines go; not disposed by the sink.</param>
    public JsonLinesSink(Stream output)
        : base(output)
    {
        _json = new Utf8JsonWriter(Pending, WriterOptions);
    }

    /// <inheritdoc />
    public override void WriteEvent(SseEvent sseEvent)
    {
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("type"u8, sseEvent.EventType);
        _json.WriteString("data"u8, sseEvent.Data);
        _json.WriteString("id"u8, sseEvent.LastEventId);
        _json.WriteEndObject();
        EndLine();
    }

    /// <inheritdoc />
    public override void WriteEnd(SseParserState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteBoolean("end"u8, true);
        _json.WriteString("lastEventId"u8, state.LastEventId);
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

    private void EndLine()
    {
        _json.Flush();
        Pending.Write("\n"u8);
    }
}
