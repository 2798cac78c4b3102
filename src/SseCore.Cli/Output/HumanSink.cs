using System;
using System.Buffers;
using System.IO;
using System.Text;

namespace SseCore.Cli.Output;

/// <summary>
/// The default mode: each event as the SSE lines that say it, normalized, then a blank line:
/// <c>event: TYPE</c>, <c>id: ID</c> (only when an ID is in force), one <c>data: LINE</c> per
/// line of the data (<c>data:</c> alone for an empty line).
/// </summary>
/// <remarks>
/// Meant for a person at a terminal, so text is made safe to print: invalid UTF-8 becomes U+FFFD,
/// control characters other than TAB become their visible Control Pictures (ESC as U+241B, DEL as
/// U+2421), and C1 controls become U+FFFD. The end of the stream prints nothing; use
/// <c>--jsonl</c> for the exact strings, the last event ID and the reconnection time.
/// </remarks>
internal sealed class HumanSink : BufferedSink, IEventSink
{
    /// <summary>Creates the sink.</summary>
    /// <param name="output">Where the text goes; not disposed by the sink.</param>
    public HumanSink(Stream output)
        : base(output)
    {
    }

    /// <inheritdoc />
    public void WriteEvent(SseEvent sseEvent)
    {
        IBufferWriter<byte> o = Pending;
        o.Write("event: "u8);
        AppendDisplayText(o, sseEvent.EventType);
        o.Write("\n"u8);

        if (!sseEvent.LastEventId.IsEmpty)
        {
            o.Write("id: "u8);
            AppendDisplayText(o, sseEvent.LastEventId);
            o.Write("\n"u8);
        }

        ReadOnlySpan<byte> data = sseEvent.Data;
        while (true)
        {
            int lf = data.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = lf < 0 ? data : data.Slice(0, lf);
            if (line.IsEmpty)
            {
                o.Write("data:\n"u8);
            }
            else
            {
                o.Write("data: "u8);
                AppendDisplayText(o, line);
                o.Write("\n"u8);
            }

            if (lf < 0)
            {
                break;
            }

            data = data.Slice(lf + 1);
        }

        o.Write("\n"u8);
    }

    /// <inheritdoc />
    public void WriteEnd(SseParserState state)
    {
    }

    /// <summary>Appends UTF-8 text made safe to print (see the remarks on <see cref="HumanSink"/>).</summary>
    /// <param name="output">Where to append.</param>
    /// <param name="utf8">The text as UTF-8, possibly invalid.</param>
    internal static void AppendDisplayText(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            // Printable ASCII (and TAB) goes through as it is, a run at a time.
            int run = 0;
            while (run < utf8.Length && IsPlainAscii(utf8[run]))
            {
                run++;
            }

            if (run > 0)
            {
                output.Write(utf8.Slice(0, run));
                utf8 = utf8.Slice(run);
                continue;
            }

            OperationStatus status = Rune.DecodeFromUtf8(utf8, out Rune rune, out int consumed);
            if (status != OperationStatus.Done)
            {
                rune = Rune.ReplacementChar; // one U+FFFD per maximal invalid subpart
            }
            else if (rune.Value < 0x20)
            {
                rune = new Rune(0x2400 + rune.Value); // SYMBOL FOR NULL ... SYMBOL FOR UNIT SEPARATOR
            }
            else if (rune.Value == 0x7F)
            {
                rune = new Rune(0x2421); // SYMBOL FOR DELETE
            }
            else if (rune.Value >= 0x80 && rune.Value <= 0x9F)
            {
                rune = Rune.ReplacementChar;
            }

            Span<byte> encoded = output.GetSpan(4);
            int length = rune.EncodeToUtf8(encoded);
            output.Advance(length);
            utf8 = utf8.Slice(consumed);
        }
    }

    private static bool IsPlainAscii(byte b) => (b >= 0x20 && b < 0x7F) || b == (byte)'\t';
}
