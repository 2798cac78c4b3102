using System.Buffers;
using System.Text;
using FsCheck.Xunit;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Writer;

/// <summary>
/// FsCheck: whatever the writer is given, the tokenizer gives back the same events — type, data
/// (line ends as LF), last event ID and retry — however the written stream is cut, and the
/// reference model of the WHATWG algorithm agrees.
/// </summary>
public class WriterRoundTripPropertyTests
{
    // Pieces mixed into the generated values so line ends, spaces, colons, BOMs and non-ASCII text
    // appear in most cases rather than by luck.
    private static readonly string[] Pieces =
    [
        "\n", "\r", "\r\n", "\n\r", "\r\r", " ", "  ", ":", "data: x", "\uFEFF", "\u00e9", "\u4e2d", "\U0001F600", "", "\0", "\t", "retry: 1", "id: 7",
    ];

    private sealed record Written(string? Type, string? Id, string Data, long? RetryBefore, bool CommentBefore, bool AsBytes);

    [Property(MaxTest = 500)]
    public void Writer_ThenTokenizer_GivesBackTheSameEvents(int[] shape, string[] texts, int[] cuts)
    {
        List<Written> events = Generate(shape ?? [], texts ?? []);
        byte[] stream = WriteAll(events);
        SseOutcome expected = Expect(events);

        Assert.Equal(expected, SseHarness.ParseWhole(stream));
        Assert.Equal(expected, WhatwgReference.Parse(stream));
        int[] at = (cuts ?? []).Select(c => (int)((uint)c % (uint)(stream.Length + 1))).ToArray();
        Assert.Equal(expected, SseHarness.ParseSegments(stream, at));
        Assert.Equal(expected, SseHarness.ParseChunks(SseHarness.CutAt(stream, at)));
    }

    [Property(MaxTest = 300)]
    public void Writer_ThenTokenizer_KeepsArbitraryDataBytes(byte[][] datas)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SseWriter(buffer);
        var expected = new List<SseRecord>();
        foreach (byte[]? data in datas ?? [])
        {
            byte[] d = data ?? [];
            writer.WriteEvent(d, "b"u8);
            expected.Add(new SseRecord("b", Encoding.Latin1.GetString(NormalizeLineEnds(d)), "", null));
        }

        Assert.Equal(expected, SseHarness.ParseWhole(buffer.WrittenSpan.ToArray()).Events);
    }

    [Property(MaxTest = 300)]
    public void EventTypeOrIdWithALineEnd_IsRejected_AndNothingIsWritten(string value, int where, bool asId)
    {
        string v = Sanitize(value ?? "");
        int i = (int)((uint)where % (uint)(v.Length + 1));
        string bad = v.Insert(i, where % 3 == 0 ? "\r" : "\n");
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SseWriter(buffer);
        if (asId)
        {
            Assert.Throws<ArgumentException>("id", () => writer.WriteEvent("d", "t", bad));
            Assert.Throws<ArgumentException>("id", () => writer.WriteEvent("d"u8, "t"u8, Encoding.UTF8.GetBytes(bad)));
        }
        else
        {
            Assert.Throws<ArgumentException>("eventType", () => writer.WriteEvent("d", bad));
            Assert.Throws<ArgumentException>("eventType", () => writer.WriteEvent("d"u8, Encoding.UTF8.GetBytes(bad)));
        }

        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Generator_ProducesEventsWithLineEndsTypesIdsAndRetries()
    {
        // Guards the round trip against a generator that stopped producing the hard cases.
        var random = new Random(6);
        var all = new List<Written>();
        for (int i = 0; i < 100; i++)
        {
            all.AddRange(Generate(Enumerable.Range(0, 8).Select(_ => random.Next()).ToArray(), ["x y", "\r\n", "\u00e9"]));
        }

        Assert.True(all.Count(e => e.Data.Contains('\r')) > 50);
        Assert.True(all.Count(e => e.Data.Contains('\n')) > 50);
        Assert.True(all.Count(e => e.Data.Length == 0) > 20);
        Assert.True(all.Count(e => !string.IsNullOrEmpty(e.Type)) > 100);
        Assert.True(all.Count(e => e.Id is { Length: > 0 }) > 100);
        Assert.True(all.Count(e => e.RetryBefore is not null) > 20);
        Assert.True(all.Count(e => e.AsBytes) > 100);
    }

    private static List<Written> Generate(int[] shape, string[] texts)
    {
        var events = new List<Written>();
        for (int n = 0; n < shape.Length; n++)
        {
            uint h = unchecked((uint)shape[n] * 2654435761u);
            string Text(uint k)
            {
                var sb = new StringBuilder();
                int parts = (int)(k % 4);
                for (int p = 0; p < parts; p++)
                {
                    uint pick = unchecked((k >> (4 + 6 * p)) * 40503u);
                    sb.Append(texts.Length > 0 && pick % 3 == 0 ? texts[(int)(pick % (uint)texts.Length)] : Pieces[pick % (uint)Pieces.Length]);
                }

                return Sanitize(sb.ToString());
            }

            string data = Text(h ^ (uint)n);
            string? type = (h & 3) == 0 ? null : StripLineEnds(Text(h >> 3));
            string? id = (h & 0x30) == 0 ? null : StripLineEnds(Text(h >> 7)).Replace("\0", "");
            long? retry = (h & 0x700) == 0 ? (h >> 12) * 37L : null;
            events.Add(new Written(type, id, data, retry, (h & 0x1800) == 0, (h & 0x4000) != 0));
        }

        return events;
    }

    private static byte[] WriteAll(List<Written> events)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SseWriter(buffer);
        foreach (Written e in events)
        {
            if (e.RetryBefore is long retry)
            {
                writer.WriteRetry(retry);
            }

            if (e.CommentBefore)
            {
                writer.WriteComment(e.Data);
            }

            if (e.AsBytes)
            {
                byte[] data = Encoding.UTF8.GetBytes(e.Data);
                byte[] type = Encoding.UTF8.GetBytes(e.Type ?? "");
                if (e.Id is null)
                {
                    writer.WriteEvent(data, type);
                }
                else
                {
                    writer.WriteEvent(data, type, Encoding.UTF8.GetBytes(e.Id));
                }
            }
            else if (e.Id is null)
            {
                writer.WriteEvent(e.Data, e.Type);
            }
            else
            {
                writer.WriteEvent(e.Data, e.Type, e.Id);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>What a client must see: the last ID and the retry persist from event to event; CR and CRLF in data come back as LF.</summary>
    private static SseOutcome Expect(List<Written> events)
    {
        string lastId = "";
        long? retry = null;
        var records = new List<SseRecord>();
        foreach (Written e in events)
        {
            retry = e.RetryBefore ?? retry;
            lastId = e.Id ?? lastId;
            string type = string.IsNullOrEmpty(e.Type) ? "message" : e.Type;
            string data = e.Data.Replace("\r\n", "\n").Replace('\r', '\n');
            records.Add(new SseRecord(WriterTests.Latin1(type), WriterTests.Latin1(data), WriterTests.Latin1(lastId), retry));
        }

        return new SseOutcome(records, WriterTests.Latin1(lastId), retry);
    }

    private static byte[] NormalizeLineEnds(byte[] data) =>
        Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(data).Replace("\r\n", "\n").Replace('\r', '\n'));

    private static string StripLineEnds(string s) => s.Replace("\r", "").Replace("\n", "");

    /// <summary>Unpaired surrogates become '?': they have no UTF-8 form (the writer rejects them; see WriterTests).</summary>
    private static string Sanitize(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                sb.Append(s, i, 2);
                i++;
            }
            else
            {
                sb.Append(char.IsSurrogate(s[i]) ? '?' : s[i]);
            }
        }

        return sb.ToString();
    }
}
