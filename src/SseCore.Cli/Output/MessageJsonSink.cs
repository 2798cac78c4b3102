using System;
using System.Buffers;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Anthropic;

namespace SseCore.Cli.Output;

/// <summary>
/// <c>--message</c>: at the end of the stream, the message as one line of JSON in the Messages
/// API's shape (<see cref="Message.WriteTo"/>), followed by one LF. Nothing is printed while the
/// stream is read.
/// </summary>
/// <remarks>
/// Strings are escaped as in <c>--jsonl</c> (<see cref="MinimalJsonEncoder"/>). Parts the library
/// keeps as raw JSON (citations, <c>stop_details</c>, whole blocks such as tool results) are
/// rewritten by <see cref="Message.WriteTo"/> in the writer's compact form, so the object stays on
/// one line even when an event's JSON was spread over several data lines.
/// </remarks>
internal sealed class MessageJsonSink : BufferedSink, IMessageSink
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = MinimalJsonEncoder.Instance,
        Indented = false,
    };

    /// <summary>Creates the sink.</summary>
    /// <param name="output">Where the line goes; not disposed by the sink.</param>
    public MessageJsonSink(Stream output)
        : base(output)
    {
    }

    /// <inheritdoc />
    public bool StreamsText => false;

    /// <inheritdoc />
    public void WriteText(ReadOnlySpan<byte> utf8)
    {
    }

    /// <inheritdoc />
    public async ValueTask WriteEndAsync(Message? message, bool isComplete, CancellationToken cancellationToken)
    {
        if (message is null)
        {
            return;
        }

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, WriterOptions))
        {
            message.WriteTo(writer);
        }

        Span<byte> line = Pending.GetSpan(json.WrittenCount + 1);
        json.WrittenSpan.CopyTo(line);
        line[json.WrittenCount] = (byte)'\n';
        Pending.Advance(json.WrittenCount + 1);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
