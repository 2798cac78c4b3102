using System;
using System.Buffers;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using NetSse = System.Net.ServerSentEvents;

namespace SseCore.Benchmarks;

/// <summary>What every benchmark computes over a stream, so that all of them do equivalent work.</summary>
/// <param name="Events">Events seen.</param>
/// <param name="Deltas">Events whose type is <c>content_block_delta</c> (compared as bytes or as a string).</param>
/// <param name="DataBytes">Sum of the data lengths.</param>
public readonly record struct Tally(long Events, long Deltas, long DataBytes);

/// <summary>
/// The measured loops, shared by the benchmark classes. Each one parses a whole stream, and per
/// event adds the data length and compares the event type to <c>content_block_delta</c>.
/// </summary>
internal static class Workloads
{
    public const string DeltaTypeString = "content_block_delta";

    public static ReadOnlySpan<byte> DeltaType => "content_block_delta"u8;

    /// <summary>SseCore: one tokenizer over the whole stream as one span.</summary>
    public static Tally TokenizerSpan(ReadOnlySpan<byte> stream, SseParserOptions? options = null)
    {
        using var state = new SseParserState(options);
        var tokenizer = new SseTokenizer(stream, isFinalBlock: true, state);
        long events = 0, deltas = 0, bytes = 0;
        while (tokenizer.TryRead(out SseEvent e))
        {
            events++;
            bytes += e.Data.Length;
            if (e.EventTypeEquals(DeltaType))
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>SseCore: one tokenizer over the whole stream as a multi-segment sequence.</summary>
    public static Tally TokenizerSequence(ReadOnlySequence<byte> stream, SseParserOptions? options = null)
    {
        using var state = new SseParserState(options);
        var tokenizer = new SseTokenizer(stream, isFinalBlock: true, state);
        long events = 0, deltas = 0, bytes = 0;
        while (tokenizer.TryRead(out SseEvent e))
        {
            events++;
            bytes += e.Data.Length;
            if (e.EventTypeEquals(DeltaType))
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>SseCore: <see cref="SseReader"/> over a <see cref="Stream"/> (a <c>PipeReader</c> inside).</summary>
    public static async Task<Tally> ReaderAsync(Stream stream, SseParserOptions? options = null)
    {
        await using SseReader reader = SseReader.Create(stream, options, leaveOpen: true);
        long events = 0, deltas = 0, bytes = 0;
        while (await reader.MoveNextAsync().ConfigureAwait(false))
        {
            SseEvent e = reader.Current;
            events++;
            bytes += e.Data.Length;
            if (e.EventTypeEquals(DeltaType))
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>System.Net.ServerSentEvents, byte overload (item = data length), enumerated synchronously.</summary>
    public static Tally PeerBytesSync(Stream stream)
    {
        long events = 0, deltas = 0, bytes = 0;
        foreach (NetSse.SseItem<int> item in NetSse.SseParser.Create(stream, static (_, data) => data.Length).Enumerate())
        {
            events++;
            bytes += item.Data;
            if (item.EventType == DeltaTypeString)
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>System.Net.ServerSentEvents, byte overload (item = data length), enumerated asynchronously.</summary>
    public static async Task<Tally> PeerBytesAsync(Stream stream)
    {
        long events = 0, deltas = 0, bytes = 0;
        await foreach (NetSse.SseItem<int> item in NetSse.SseParser.Create(stream, static (_, data) => data.Length).EnumerateAsync().ConfigureAwait(false))
        {
            events++;
            bytes += item.Data;
            if (item.EventType == DeltaTypeString)
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>System.Net.ServerSentEvents, string overload, enumerated synchronously.</summary>
    public static Tally PeerStringSync(Stream stream)
    {
        long events = 0, deltas = 0, chars = 0;
        foreach (NetSse.SseItem<string> item in NetSse.SseParser.Create(stream).Enumerate())
        {
            events++;
            chars += item.Data.Length;
            if (item.EventType == DeltaTypeString)
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, chars);
    }

    /// <summary>
    /// The naive parser many SDKs shipped (the Anthropic SDK before it moved to SseParser, Semantic
    /// Kernel, System.ClientModel): <see cref="StreamReader.ReadLine"/>, a string per line, the
    /// field split off with <c>Substring</c>, data lines joined with a <see cref="StringBuilder"/>
    /// and dispatched as a string at the blank line. It follows the spec's field rules (comments,
    /// one optional space, "message" as the default type, multi-line data).
    /// </summary>
    public static Tally NaiveReadLine(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        var data = new StringBuilder();
        string type = "message";
        bool hasData = false;
        long events = 0, deltas = 0, chars = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    string payload = data.ToString();
                    events++;
                    chars += payload.Length;
                    if (type == DeltaTypeString)
                    {
                        deltas++;
                    }
                }

                type = "message";
                data.Clear();
                hasData = false;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string field = colon < 0 ? line : line.Substring(0, colon);
            string value = colon < 0 ? string.Empty : line.Substring(colon + 1 < line.Length && line[colon + 1] == ' ' ? colon + 2 : colon + 1);
            switch (field)
            {
                case "event":
                    type = value.Length == 0 ? "message" : value;
                    break;
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
            }
        }

        return new Tally(events, deltas, chars);
    }

    /// <summary>
    /// A floor, not a parser: the bytes read from <paramref name="stream"/> in 64 KiB reads and
    /// their line ends found with the vectorized <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, T)"/>,
    /// one search per line, as a line-based parser must at least do. Returns the number of LFs
    /// (a CRLF counts once); every line of the generated streams ends with one.
    /// </summary>
    public static long FloorReadCountLines(Stream stream, byte[] buffer)
    {
        long lines = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            ReadOnlySpan<byte> span = buffer.AsSpan(0, read);
            int at;
            while ((at = span.IndexOf((byte)'\n')) >= 0)
            {
                lines++;
                span = span.Slice(at + 1);
            }
        }

        return lines;
    }
}
