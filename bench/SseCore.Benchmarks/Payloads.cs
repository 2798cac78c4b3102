using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;

using SseCore.Tests.Infrastructure;

namespace SseCore.Benchmarks;

/// <summary>The line end a generated stream uses everywhere.</summary>
public enum LineEnding
{
    LF,
    CRLF,
    CR,
}

/// <summary>The shape of a multi-line stream: five data lines per event, short or long.</summary>
public enum MultiLineShape
{
    /// <summary>Five data lines of about 16 bytes each.</summary>
    Short,

    /// <summary>Five data lines of about 160 bytes each.</summary>
    Long,
}

/// <summary>The size of the single data line of the linearity benchmarks.</summary>
public enum HugeLineSize
{
    MiB1 = 1,
    MiB4 = 4,
    MiB16 = 16,
}

/// <summary>The Anthropic Messages streams of the decoding benchmarks.</summary>
public enum MessageShape
{
    /// <summary>The suite's ~1 MiB text stream (<see cref="Payloads.Anthropic"/> with LF): one text block of short deltas.</summary>
    Text,

    /// <summary>
    /// ~1 MiB in the style of the recorded fixtures: alternating text and <c>tool_use</c> blocks,
    /// <c>input_json_delta</c> fragments of a file-writing tool's input (escaped twice on the
    /// wire), JSON escapes and raw non-ASCII UTF-8 in the text, 0 to 15 spaces of padding before
    /// each event's closing brace, and an occasional ping.
    /// </summary>
    ToolUse,
}

/// <summary>What every parse of a stream must observe; the generator records it as it writes.</summary>
/// <param name="Events">Dispatched events.</param>
/// <param name="Deltas">Events whose type is <c>content_block_delta</c>.</param>
/// <param name="DataBytes">Sum of the data lengths in UTF-8 bytes (also UTF-16 chars, except in <see cref="MessageShape.ToolUse"/>, which has non-ASCII text).</param>
/// <param name="Digest">FNV-1a over each event's type and data, see <see cref="EventDigest"/>.</param>
internal readonly record struct Expected(long Events, long Deltas, long DataBytes, ulong Digest)
{
    public Tally Tally => new(Events, Deltas, DataBytes);
}

/// <summary>A generated stream and what parsing it must give.</summary>
internal sealed record Payload(byte[] Bytes, Expected Expected);

/// <summary>What decoding a Messages stream must give; the generator records it as it writes.</summary>
/// <param name="TextDeltas">The <c>text_delta</c> events.</param>
/// <param name="Text">Every text block's text, unescaped, concatenated in block order.</param>
/// <param name="JsonDeltas">The <c>input_json_delta</c> events.</param>
/// <param name="ToolInputs">Each <c>tool_use</c> block's input, in block order (JSON as generated).</param>
/// <param name="Blocks">Content blocks in the message.</param>
internal sealed record MessageExpected(long TextDeltas, string Text, long JsonDeltas, IReadOnlyList<string> ToolInputs, int Blocks)
{
    public long TextUtf8Bytes { get; } = Encoding.UTF8.GetByteCount(Text);
}

/// <summary>A generated Messages stream, what its SSE parse must give, and what decoding it must give.</summary>
internal sealed record MessagePayload(Payload Sse, MessageExpected Message);

/// <summary>Deterministic generators for the benchmark streams, cached per shape.</summary>
internal static class Payloads
{
    public const int TargetStreamBytes = 1 << 20;

    private static readonly ConcurrentDictionary<LineEnding, Payload> AnthropicCache = new();
    private static readonly ConcurrentDictionary<MultiLineShape, Payload> MultiLineCache = new();
    private static readonly ConcurrentDictionary<MessageShape, MessagePayload> MessageCache = new();

    // Token-sized pieces of English, with the JSON escapes real text deltas carry.
    private static readonly string[] Tokens =
    [
        "The", " model", " streams", " its", " answer", " as", " a", " sequence", " of", " small",
        " deltas", ",", ".", " and", " each", " one", " is", " a", " JSON", " object", " with",
        " text", ":", " \\\"quoted\\\"", "\\n", "\\n\\n", " -", " 42", " tokens", " per", " second",
        " Server", "-Sent", " Events", " parser", " allocates", " nothing", " (", ")", " for",
        " example", " `code`", " the", " of", " to", " in", " that", " it", " we", " you",
    ];

    // The tokens above as the text they stand for, decoded by System.Text.Json.
    private static readonly string[] PlainTokens = Tokens.Select(t => JsonSerializer.Deserialize<string>("\"" + t + "\"")!).ToArray();

    // Text tokens of the fixture-like stream, unescaped: quotes, backslashes, newlines, tabs and raw non-ASCII.
    private static readonly string[] FixtureTokens =
    [
        "I", "'ll", " write", " the", " file", " now", ".", " The", " weather", " in", " San", " Francisco",
        " is", " 18", "°C", " —", " café", " naïve", " \"quoted\"", "\n", "\n\n", "C:\\temp", "\t", " →",
        " résumé", " …", " `Main()`", " returns", " 0", ",", " then", " I", " check", " it", ":",
    ];

    // Lines of the source file the tool writes: quotes, backslashes and a degree sign.
    private static readonly string[] CodeLines =
    [
        "using System;",
        "namespace Weather;",
        "public static class Report",
        "{",
        "    public static string Format(double celsius) => $\"{celsius:F1} °C\";",
        "    public const string Path = \"C:\\data\\weather.json\";",
        "    // \"quoted\" comment with a tab:\there",
        "    public static void Main() => Console.WriteLine(Format(18.5));",
        "}",
    ];

    /// <summary>An Anthropic Messages stream of about 1 MiB: message_start, content_block_start, thousands of text deltas with pings, then the closing events.</summary>
    public static Payload Anthropic(LineEnding ending) => AnthropicCache.GetOrAdd(ending, BuildAnthropic);

    /// <summary>A Messages stream of about 1 MiB (LF) and what decoding it must give.</summary>
    public static MessagePayload AnthropicMessage(MessageShape shape) => MessageCache.GetOrAdd(shape, BuildMessage);

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
        return new Payload(bytes, new Expected(1, 0, dataBytes, digest.Value));
    }

    private static Payload BuildAnthropic(LineEnding ending) => BuildAnthropic(ending, plain: null, out _);

    private static MessagePayload BuildMessage(MessageShape shape)
    {
        if (shape == MessageShape.Text)
        {
            var plain = new StringBuilder();
            Payload sse = BuildAnthropic(LineEnding.LF, plain, out int deltas);
            return new MessagePayload(sse, new MessageExpected(deltas, plain.ToString(), 0, [], 1));
        }

        return BuildToolUse();
    }

    /// <param name="ending">The line end.</param>
    /// <param name="plain">When not null, receives the text the deltas carry, unescaped.</param>
    /// <param name="deltas">The number of text deltas written.</param>
    private static Payload BuildAnthropic(LineEnding ending, StringBuilder? plain, out int deltas)
    {
        var w = new EventWriter(ending);
        w.Event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":472,\"output_tokens\":2}}}");
        w.Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        w.Event("ping", "{\"type\": \"ping\"}");
        var random = new Random(20261124);
        var text = new StringBuilder();
        deltas = 0;
        while (w.Length < TargetStreamBytes - 512)
        {
            text.Clear();
            int count = random.Next(1, 5);
            for (int i = 0; i < count; i++)
            {
                int token = random.Next(Tokens.Length);
                text.Append(Tokens[token]);
                plain?.Append(PlainTokens[token]);
            }

            w.Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}");
            if (++deltas % 1000 == 0)
            {
                w.Event("ping", "{\"type\": \"ping\"}");
            }
        }

        w.Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        w.Event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + deltas * 2 + "}}");
        w.Event("message_stop", "{\"type\":\"message_stop\"}");
        return w.ToPayload();
    }

    /// <summary>
    /// Rounds of a text block (20 to 60 deltas) and a <c>tool_use</c> block whose input is
    /// <c>{"path":…,"content":…}</c> cut into fragments of 8 to 40 characters, in the wire style of
    /// <c>tests/fixtures/anthropic/tool_use_recorded.sse</c>, until about 1 MiB.
    /// </summary>
    private static MessagePayload BuildToolUse()
    {
        var w = new EventWriter(LineEnding.LF);
        var random = new Random(20261125);
        string Pad() => new(' ', random.Next(0, 16));

        w.Event("message_start", "{\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5-20250929\",\"id\":\"msg_01P7nF1bmxyzFZjF8zwbUDBM\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":394,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":1,\"service_tier\":\"standard\"}}" + Pad() + "}");
        var allText = new StringBuilder();
        var inputs = new List<string>();
        var piece = new StringBuilder();
        var code = new StringBuilder();
        long textDeltas = 0, jsonDeltas = 0;
        int index = 0;

        void MaybePing()
        {
            if (random.Next(200) == 0)
            {
                w.Event("ping", "{\"type\": \"ping\"}");
            }
        }

        while (w.Length < TargetStreamBytes - 8192)
        {
            w.Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}" + Pad() + "}");
            int count = random.Next(20, 61);
            for (int d = 0; d < count; d++)
            {
                piece.Clear();
                int tokens = random.Next(1, 5);
                for (int i = 0; i < tokens; i++)
                {
                    piece.Append(FixtureTokens[random.Next(FixtureTokens.Length)]);
                }

                allText.Append(piece);
                textDeltas++;
                w.Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":{\"type\":\"text_delta\",\"text\":\"" + JsonEscape(piece.ToString()) + "\"}" + Pad() + "}");
                MaybePing();
            }

            w.Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + Pad() + "}");
            index++;

            code.Clear();
            int lines = random.Next(20, 60);
            for (int i = 0; i < lines; i++)
            {
                code.Append(CodeLines[random.Next(CodeLines.Length)]).Append('\n');
            }

            string input = "{\"path\":\"src/Weather/Report" + index + ".cs\",\"content\":\"" + JsonEscape(code.ToString()) + "\"}";
            inputs.Add(input);
            w.Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_017QoD96fYwGzCWvLfa" + index.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + "\",\"name\":\"write_file\",\"input\":{}}" + Pad() + "}");

            // The API's first input_json_delta is empty.
            w.Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}" + Pad() + "}");
            jsonDeltas++;
            for (int at = 0; at < input.Length;)
            {
                int length = Math.Min(random.Next(8, 41), input.Length - at);
                w.Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"" + JsonEscape(input.Substring(at, length)) + "\"}" + Pad() + "}");
                jsonDeltas++;
                at += length;
                MaybePing();
            }

            w.Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + Pad() + "}");
            index++;
        }

        w.Event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":394,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":" + (textDeltas + jsonDeltas) + "}" + Pad() + "}");
        w.Event("message_stop", "{\"type\":\"message_stop\"" + Pad() + "}");
        return new MessagePayload(w.ToPayload(), new MessageExpected(textDeltas, allText.ToString(), jsonDeltas, inputs, index));
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
                    sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
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
        var w = new EventWriter(LineEnding.LF);
        var random = new Random(5);
        int lineLength = shape == MultiLineShape.Short ? 16 : 160;
        var lines = new string[5];
        int n = 0;
        while (w.Length < TargetStreamBytes - 2048)
        {
            for (int i = 0; i < lines.Length; i++)
            {
                var line = new StringBuilder(lineLength + 8);
                while (line.Length < lineLength)
                {
                    line.Append(Tokens[random.Next(Tokens.Length)]);
                }

                lines[i] = line.ToString();
            }

            w.Event(n++ % 2 == 0 ? "content_block_delta" : null, lines);
        }

        return w.ToPayload();
    }

    /// <summary>Writes events and records what a parser must see.</summary>
    private sealed class EventWriter(LineEnding ending)
    {
        private readonly string _eol = ending switch
        {
            LineEnding.LF => "\n",
            LineEnding.CRLF => "\r\n",
            _ => "\r",
        };

        private readonly StringBuilder _text = new();
        private EventDigest _digest;
        private long _events;
        private long _deltas;
        private long _dataBytes;

        public int Length => _text.Length;

        public void Event(string? type, params string[] dataLines)
        {
            if (type is not null)
            {
                _text.Append("event: ").Append(type).Append(_eol);
            }

            foreach (string line in dataLines)
            {
                _text.Append("data: ").Append(line).Append(_eol);
            }

            _text.Append(_eol);

            string data = string.Join("\n", dataLines);
            _events++;
            _deltas += type == "content_block_delta" ? 1 : 0;
            _dataBytes += Encoding.UTF8.GetByteCount(data);
            _digest.Add(Encoding.UTF8.GetBytes(type ?? "message"), Encoding.UTF8.GetBytes(data));
        }

        public Payload ToPayload()
        {
            byte[] bytes = Encoding.UTF8.GetBytes(_text.ToString());
            return new Payload(bytes, new Expected(_events, _deltas, _dataBytes, _digest.Value));
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
