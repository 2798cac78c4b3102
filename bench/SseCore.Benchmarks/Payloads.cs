using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

using SseCore.Tests.Infrastructure;

namespace SseCore.Benchmarks;

/// <summary>The line end a generated stream uses everywhere.</summary>
public enum LineEnding
{
    LF,
    CRLF,
}

/// <summary>The size of a generated Anthropic stream (the value is MiB).</summary>
public enum StreamSize
{
    MiB1 = 1,
    MiB64 = 64,
}

/// <summary>The shape of a multi-line stream: five data lines per event, short or long.</summary>
public enum MultiLineShape
{
    /// <summary>Five data lines of about 16 bytes each.</summary>
    Short,

    /// <summary>Five data lines of about 160 bytes each.</summary>
    Long,
}

/// <summary>What every parse of a stream must observe; the generator records it as it writes.</summary>
/// <param name="Events">Dispatched events.</param>
/// <param name="Deltas">Events whose type is <c>content_block_delta</c>.</param>
/// <param name="DataBytes">Sum of the data lengths in UTF-8 bytes.</param>
/// <param name="DataChars">Sum of the data lengths in UTF-16 chars (what a parser that hands out strings sees).</param>
/// <param name="Lines">Line ends in the stream (each CRLF counted once): what the newline-counting floor must find.</param>
/// <param name="Digest">FNV-1a over each event's type and data, see <see cref="EventDigest"/>.</param>
internal readonly record struct Expected(long Events, long Deltas, long DataBytes, long DataChars, long Lines, ulong Digest)
{
    /// <summary>The tally of a parser that hands out UTF-8 data.</summary>
    public Tally Tally => new(Events, Deltas, DataBytes);

    /// <summary>The tally of a parser that hands out data as strings.</summary>
    public Tally CharTally => new(Events, Deltas, DataChars);
}

/// <summary>A generated stream and what parsing it must give.</summary>
internal sealed record Payload(byte[] Bytes, Expected Expected);

/// <summary>What decoding a Messages stream must give; the generator records it as it writes.</summary>
/// <param name="TextDeltas">The <c>text_delta</c> events.</param>
/// <param name="Text">Every text block's text, unescaped, concatenated in block order.</param>
/// <param name="JsonDeltas">The <c>input_json_delta</c> events.</param>
/// <param name="ToolInputs">Each <c>tool_use</c> block's input, in block order (JSON as generated, unescaped once: what the fragments join to).</param>
/// <param name="Blocks">Content blocks in the message.</param>
internal sealed record MessageExpected(long TextDeltas, string Text, long JsonDeltas, IReadOnlyList<string> ToolInputs, int Blocks)
{
    public long TextUtf8Bytes { get; } = Encoding.UTF8.GetByteCount(Text);

    /// <summary>The joined <c>partial_json</c> fragments, unescaped, in UTF-8 bytes.</summary>
    public long JsonUtf8Bytes { get; } = Sum(ToolInputs, Encoding.UTF8.GetByteCount);

    /// <summary>The joined <c>partial_json</c> fragments, unescaped, in UTF-16 chars.</summary>
    public long JsonChars { get; } = Sum(ToolInputs, s => s.Length);

    /// <summary>
    /// The size of the final message, the yardstick of the whole-stream allocation benchmark:
    /// what the final <c>Message</c> must hold for its public properties, at least. Each text
    /// block's <c>Text</c> as a string (2 bytes per UTF-16 char), each tool input's
    /// <c>InputJson</c> as a string (2 bytes per char) and its parsed <c>Input</c> (a
    /// <c>JsonElement</c>, whose document keeps its own UTF-8 copy: 1 byte per UTF-8 byte). Object
    /// headers, the usage and the ids are left out: they are the "constant".
    /// </summary>
    public long MessageBytes => (2 * Text.Length) + (2 * JsonChars) + JsonUtf8Bytes;

    private static long Sum(IReadOnlyList<string> values, Func<string, int> size)
    {
        long total = 0;
        foreach (string value in values)
        {
            total += size(value);
        }

        return total;
    }
}

/// <summary>A generated Messages stream, what its SSE parse must give, and what decoding it must give.</summary>
internal sealed record MessagePayload(Payload Sse, MessageExpected Message);

/// <summary>Deterministic generators for the benchmark streams, cached per shape.</summary>
internal static class Payloads
{
    public const int MultiLineStreamBytes = 1 << 20;

    private static readonly ConcurrentDictionary<(StreamSize, LineEnding), MessagePayload> StreamCache = new();
    private static readonly ConcurrentDictionary<MultiLineShape, Payload> MultiLineCache = new();

    // Words of a text delta, each with its leading space: ASCII, nothing to escape.
    private static readonly string[] Words =
    [
        " the", " model", " streams", " its", " answer", " as", " a", " sequence", " of", " small",
        " deltas", " and", " each", " one", " is", " JSON", " object", " with", " text", " tokens",
        " per", " second", " Server-Sent", " Events", " parser", " allocates", " nothing", " for",
        " example", " `code`", " that", " it", " we", " you", " 42", " (see", " below),", " weather.",
    ];

    // Pieces with JSON escapes: on the wire (escaped) and as the text they stand for.
    private static readonly (string Wire, string Plain)[] Escaped =
    [
        ("\\n", "\n"),
        ("\\n\\n", "\n\n"),
        (" \\\"quoted\\\"", " \"quoted\""),
        (" caf\\u00e9", " café"),
        (" C:\\\\temp", " C:\\temp"),
        ("\\t", "\t"),
        (" \\u2014", " —"),
    ];

    // Raw non-ASCII UTF-8, emoji (surrogate pairs in UTF-16) included.
    private static readonly string[] NonAscii =
    [
        " café", " naïve", " —", " →", " 18 °C", " …", " 😀", " 🚀", " 日本語", " Ünïcödé", " 👍🏽",
    ];

    // Lines of the file the tool writes: quotes, backslashes, tabs and BMP non-ASCII (fragments are cut by char).
    private static readonly string[] CodeLines =
    [
        "using System;",
        "namespace Weather;",
        "public static class Report",
        "{",
        "    public static string Format(double celsius) => $\"{celsius:F1} °C\";",
        "    public const string Path = \"C:\\data\\weather.json\";",
        "    // \"quoted\" comment with a tab:\there — and a café",
        "    public static void Main() => Console.WriteLine(Format(18.5));",
        "}",
    ];

    /// <summary>
    /// An Anthropic Messages stream as the API sends it, of about <paramref name="size"/>:
    /// <c>message_start</c>; a text block of <c>text_delta</c>s of 1 to 30 words (about 40 % with
    /// JSON escapes such as <c>\n</c>, <c>\"</c> and <c>\u00e9</c>, about 30 % with raw non-ASCII
    /// UTF-8, emoji included) and a <c>ping</c> every 100 events; a <c>tool_use</c> block whose
    /// input (about 1/32 of the stream) arrives as <c>input_json_delta</c> fragments of 8 to 40
    /// chars, the first one empty; <c>message_delta</c> with usage; <c>message_stop</c>.
    /// </summary>
    public static MessagePayload Stream(StreamSize size, LineEnding ending) => StreamCache.GetOrAdd((size, ending), static k => BuildStream(k.Item1, k.Item2));

    /// <summary>About 1 MiB of events with five data lines each; every other event has no <c>event</c> line (type <c>message</c>).</summary>
    public static Payload MultiLine(MultiLineShape shape) => MultiLineCache.GetOrAdd(shape, BuildMultiLine);

    /// <summary><c>data: </c>, <paramref name="dataBytes"/> ASCII bytes, then LF LF: one event.</summary>
    public static Payload HugeLine(int dataBytes)
    {
        byte[] bytes = new byte[6 + dataBytes + 2];
        "data: "u8.CopyTo(bytes);
        for (int i = 0; i < dataBytes; i++)
        {
            bytes[6 + i] = (byte)('a' + (i % 26));
        }

        bytes[^2] = (byte)'\n';
        bytes[^1] = (byte)'\n';
        var digest = new EventDigest();
        digest.Add("message"u8, bytes.AsSpan(6, dataBytes));
        return new Payload(bytes, new Expected(1, 0, dataBytes, dataBytes, 2, digest.Value));
    }

    private static MessagePayload BuildStream(StreamSize size, LineEnding ending)
    {
        long target = (long)size << 20;
        var w = new EventWriter(ending, (int)target + 4096);
        var random = new Random(20261124 + (int)size);
        var plain = new StringBuilder((int)Math.Min(target, int.MaxValue / 4));
        var wire = new StringBuilder(1024);
        var piece = new StringBuilder(1024);
        long textDeltas = 0, jsonDeltas = 0, sincePing = 0;

        void MaybePing()
        {
            if (++sincePing >= 100)
            {
                sincePing = 0;
                w.Event("ping", "{\"type\": \"ping\"}");
            }
        }

        w.Event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":472,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":2,\"service_tier\":\"standard\"}}}");
        w.Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        w.Event("ping", "{\"type\": \"ping\"}");

        // The tool input, built first: the text block fills what it leaves.
        var code = new StringBuilder();
        while (code.Length < target / 32)
        {
            code.Append(CodeLines[random.Next(CodeLines.Length)]).Append('\n');
        }

        string input = "{\"path\":\"src/Weather/Report.cs\",\"content\":\"" + JsonEscape(code.ToString()) + "\"}";
        long textUntil = target - (input.Length * 6L) - 1024;

        while (w.Length < textUntil)
        {
            wire.Clear();
            piece.Clear();
            int words = random.Next(1, 31);
            int escapeAt = random.NextDouble() < 0.4 ? random.Next(words) : -1;
            int nonAsciiAt = random.NextDouble() < 0.3 ? random.Next(words) : -1;
            for (int i = 0; i < words; i++)
            {
                if (i == escapeAt)
                {
                    (string escapedWire, string escapedPlain) = Escaped[random.Next(Escaped.Length)];
                    wire.Append(escapedWire);
                    piece.Append(escapedPlain);
                }
                else if (i == nonAsciiAt)
                {
                    string s = NonAscii[random.Next(NonAscii.Length)];
                    wire.Append(s);
                    piece.Append(s);
                }
                else
                {
                    string s = Words[random.Next(Words.Length)];
                    wire.Append(s);
                    piece.Append(s);
                }
            }

            plain.Append(piece);
            textDeltas++;
            w.Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + wire + "\"}}");
            MaybePing();
        }

        w.Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");

        w.Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_017QoD96fYwGzCWvLfa00001\",\"name\":\"write_file\",\"input\":{}}}");

        // The API's first input_json_delta is empty.
        w.Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}");
        jsonDeltas++;
        for (int at = 0; at < input.Length;)
        {
            int length = Math.Min(random.Next(8, 41), input.Length - at);
            w.Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"" + JsonEscape(input.Substring(at, length)) + "\"}}");
            jsonDeltas++;
            at += length;
            MaybePing();
        }

        w.Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}");
        w.Event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":472,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":" + (textDeltas + jsonDeltas).ToString(CultureInfo.InvariantCulture) + "}}");
        w.Event("message_stop", "{\"type\":\"message_stop\"}");
        return new MessagePayload(w.ToPayload(), new MessageExpected(textDeltas, plain.ToString(), jsonDeltas, [input], 2));
    }

    /// <summary>A JSON string's content: quotes, backslashes and control characters escaped, everything else (non-ASCII too) as is.</summary>
    private static string JsonEscape(string value)
    {
        var sb = new StringBuilder(value.Length + 16);
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case < ' ':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    private static Payload BuildMultiLine(MultiLineShape shape)
    {
        var w = new EventWriter(LineEnding.LF, MultiLineStreamBytes + 4096);
        var random = new Random(5);
        int lineLength = shape == MultiLineShape.Short ? 16 : 160;
        var lines = new string[5];
        int n = 0;
        while (w.Length < MultiLineStreamBytes - 2048)
        {
            for (int i = 0; i < lines.Length; i++)
            {
                var line = new StringBuilder(lineLength + 8);
                while (line.Length < lineLength)
                {
                    line.Append(Words[random.Next(Words.Length)]);
                }

                lines[i] = line.ToString();
            }

            w.Event(n++ % 2 == 0 ? "content_block_delta" : null, lines);
        }

        return w.ToPayload();
    }

    /// <summary>Writes events as UTF-8 and records what a parser must see.</summary>
    private sealed class EventWriter(LineEnding ending, int capacity)
    {
        private readonly byte[] _eol = ending == LineEnding.LF ? [(byte)'\n'] : [(byte)'\r', (byte)'\n'];
        private readonly ArrayBufferWriter<byte> _bytes = new(capacity);
        private EventDigest _digest;
        private long _events;
        private long _deltas;
        private long _dataBytes;
        private long _dataChars;
        private long _lines;

        public long Length => _bytes.WrittenCount;

        public void Event(string? type, params string[] dataLines)
        {
            ReadOnlySpan<byte> typeBytes = type is null ? "message"u8 : Encoding.UTF8.GetBytes(type);
            if (type is not null)
            {
                Line("event: ", type);
            }

            foreach (string line in dataLines)
            {
                Line("data: ", line);
            }

            _bytes.Write(_eol);
            _lines++;

            string data = string.Join("\n", dataLines);
            byte[] dataBytes = Encoding.UTF8.GetBytes(data);
            _events++;
            _deltas += type == "content_block_delta" ? 1 : 0;
            _dataBytes += dataBytes.Length;
            _dataChars += data.Length;
            _digest.Add(typeBytes, dataBytes);
        }

        public Payload ToPayload() =>
            new(_bytes.WrittenSpan.ToArray(), new Expected(_events, _deltas, _dataBytes, _dataChars, _lines, _digest.Value));

        private void Line(string field, string value)
        {
            Span<byte> destination = _bytes.GetSpan(field.Length + Encoding.UTF8.GetMaxByteCount(value.Length));
            int n = Encoding.UTF8.GetBytes(field, destination);
            n += Encoding.UTF8.GetBytes(value, destination.Slice(n));
            _bytes.Advance(n);
            _bytes.Write(_eol);
            _lines++;
        }
    }
}

/// <summary>FNV-1a (64-bit) over each event's type, a separator, its data and another separator.</summary>
internal struct EventDigest
{
    private const ulong Prime = 1099511628211;
    private ulong _hash;
    private bool _started;

    public readonly ulong Value => _started ? _hash : 14695981039346656037;

    public void Add(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        if (!_started)
        {
            _hash = 14695981039346656037;
            _started = true;
        }

        ulong h = _hash;
        foreach (byte b in type)
        {
            h = (h ^ b) * Prime;
        }

        h = (h ^ 0xFF) * Prime;
        foreach (byte b in data)
        {
            h = (h ^ b) * Prime;
        }

        _hash = (h ^ 0xFE) * Prime;
    }
}

/// <summary>Cuts one array into a multi-segment <see cref="ReadOnlySequence{T}"/> of fixed-size segments.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, int segmentSize) =>
        bytes.Length <= segmentSize ? new ReadOnlySequence<byte>(bytes) : Sequences.FromParts(Cut(bytes, segmentSize));

    private static IEnumerable<ReadOnlyMemory<byte>> Cut(byte[] bytes, int segmentSize)
    {
        for (int offset = 0; offset < bytes.Length; offset += segmentSize)
        {
            yield return bytes.AsMemory(offset, Math.Min(segmentSize, bytes.Length - offset));
        }
    }
}
