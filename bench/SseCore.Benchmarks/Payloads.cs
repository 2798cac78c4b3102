using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

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

/// <summary>What every parse of a stream must observe; the generator records it as it writes.</summary>
/// <param name="Events">Dispatched events.</param>
/// <param name="Deltas">Events whose type is <c>content_block_delta</c>.</param>
/// <param name="DataBytes">Sum of the data lengths (UTF-8 bytes; the payloads are ASCII, so also UTF-16 chars).</param>
/// <param name="Digest">FNV-1a over each event's type and data, see <see cref="EventDigest"/>.</param>
internal readonly record struct Expected(long Events, long Deltas, long DataBytes, ulong Digest)
{
    public Tally Tally => new(Events, Deltas, DataBytes);
}

/// <summary>A generated stream and what parsing it must give.</summary>
internal sealed record Payload(byte[] Bytes, Expected Expected);

/// <summary>Deterministic generators for the benchmark streams, cached per shape.</summary>
internal static class Payloads
{
    public const int TargetStreamBytes = 1 << 20;

    private static readonly ConcurrentDictionary<LineEnding, Payload> AnthropicCache = new();
    private static readonly ConcurrentDictionary<MultiLineShape, Payload> MultiLineCache = new();

    // Token-sized pieces of English, with the JSON escapes real text deltas carry.
    private static readonly string[] Tokens =
    [
        "The", " model", " streams", " its", " answer", " as", " a", " sequence", " of", " small",
        " deltas", ",", ".", " and", " each", " one", " is", " a", " JSON", " object", " with",
        " text", ":", " \\\"quoted\\\"", "\\n", "\\n\\n", " -", " 42", " tokens", " per", " second",
        " Server", "-Sent", " Events", " parser", " allocates", " nothing", " (", ")", " for",
        " example", " `code`", " the", " of", " to", " in", " that", " it", " we", " you",
    ];

    /// <summary>An Anthropic Messages stream of about 1 MiB: message_start, content_block_start, thousands of text deltas with pings, then the closing events.</summary>
    public static Payload Anthropic(LineEnding ending) => AnthropicCache.GetOrAdd(ending, BuildAnthropic);

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

    private static Payload BuildAnthropic(LineEnding ending)
    {
        var w = new EventWriter(ending);
        w.Event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":472,\"output_tokens\":2}}}");
        w.Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        w.Event("ping", "{\"type\": \"ping\"}");
        var random = new Random(20261124);
        var text = new StringBuilder();
        int deltas = 0;
        while (w.Length < TargetStreamBytes - 512)
        {
            text.Clear();
            int count = random.Next(1, 5);
            for (int i = 0; i < count; i++)
            {
                text.Append(Tokens[random.Next(Tokens.Length)]);
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

/// <summary>Builds a multi-segment <see cref="ReadOnlySequence{T}"/> over one array.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, int segmentSize)
    {
        if (bytes.Length <= segmentSize)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var first = new Segment(bytes.AsMemory(0, segmentSize), 0);
        Segment last = first;
        for (int offset = segmentSize; offset < bytes.Length; offset += segmentSize)
        {
            last = last.Append(bytes.AsMemory(offset, Math.Min(segmentSize, bytes.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
