using System.Collections.Generic;
using System.Text;

namespace SseCore.Tests.Reference;

/// <summary>One dispatched event, bytes kept exact (Latin-1 maps each byte to one char).</summary>
public sealed record SseRecord(string Type, string Data, string LastEventId, long? Retry)
{
    public override string ToString() => $"[{Type}] data=<{Escape(Data)}> id=<{Escape(LastEventId)}> retry={Retry}";

    internal static string Escape(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\0", "\\0");
}

/// <summary>What a whole stream yields: its events, and the last event ID and reconnection time at its end.</summary>
public sealed record SseOutcome(IReadOnlyList<SseRecord> Events, string LastEventId, long? Retry)
{
    public bool Equals(SseOutcome? other) =>
        other is not null && LastEventId == other.LastEventId && Retry == other.Retry && Events.Count == other.Events.Count && Enumerable.SequenceEqual(Events, other.Events);

    public override int GetHashCode() => HashCode.Combine(Events.Count, LastEventId, Retry);

    public override string ToString() =>
        $"{Events.Count} events, lastEventId=<{SseRecord.Escape(LastEventId)}>, retry={Retry}\n" + string.Join("\n", Events);
}

/// <summary>
/// The WHATWG "Parsing an event stream" / "Interpreting an event stream" algorithm, written to be
/// obviously correct rather than fast: split the whole input into lines, then interpret each line.
/// It works on bytes; every character the format gives meaning to is ASCII, so this is the same.
/// </summary>
public static class WhatwgReference
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    public static SseOutcome Parse(byte[] input)
    {
        var events = new List<SseRecord>();
        var data = new List<byte>();
        var type = new List<byte>();
        var idBuffer = new List<byte>();
        string lastEventIdString = "";
        long? retry = null;

        foreach (List<byte> line in SplitLines(input))
        {
            if (line.Count == 0)
            {
                // Dispatch.
                lastEventIdString = Latin1.GetString(idBuffer.ToArray());
                if (data.Count == 0)
                {
                    type.Clear();
                    continue;
                }

                if (data[^1] == (byte)'\n')
                {
                    data.RemoveAt(data.Count - 1);
                }

                string t = type.Count == 0 ? "message" : Latin1.GetString(type.ToArray());
                events.Add(new SseRecord(t, Latin1.GetString(data.ToArray()), lastEventIdString, retry));
                data.Clear();
                type.Clear();
                continue;
            }

            if (line[0] == (byte)':')
            {
                continue;
            }

            int colon = line.IndexOf((byte)':');
            List<byte> field;
            List<byte> value;
            if (colon >= 0)
            {
                field = line.GetRange(0, colon);
                value = line.GetRange(colon + 1, line.Count - colon - 1);
                if (value.Count > 0 && value[0] == (byte)' ')
                {
                    value.RemoveAt(0);
                }
            }
            else
            {
                field = line;
                value = new List<byte>();
            }

            string name = Latin1.GetString(field.ToArray());
            switch (name)
            {
                case "event":
                    type = value;
                    break;
                case "data":
                    data.AddRange(value);
                    data.Add((byte)'\n');
                    break;
                case "id":
                    if (!value.Contains(0))
                    {
                        idBuffer = value;
                    }

                    break;
                case "retry":
                    if (value.Count > 0 && value.TrueForAll(b => b >= (byte)'0' && b <= (byte)'9'))
                    {
                        // Saturating, as documented for SseParserState.ReconnectionTime.
                        retry = decimal.TryParse(Latin1.GetString(value.ToArray()), out decimal d) && d <= long.MaxValue ? (long)d : long.MaxValue;
                    }

                    break;
            }
        }

        return new SseOutcome(events, lastEventIdString, retry);
    }

    /// <summary>The complete lines of the stream: one BOM skipped, CRLF/LF/CR ends, an unterminated last line dropped.</summary>
    private static IEnumerable<List<byte>> SplitLines(byte[] input)
    {
        int i = 0;
        if (input.Length >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF)
        {
            i = 3;
        }

        var line = new List<byte>();
        while (i < input.Length)
        {
            byte b = input[i++];
            if (b == (byte)'\r')
            {
                if (i < input.Length && input[i] == (byte)'\n')
                {
                    i++;
                }

                yield return line;
                line = new List<byte>();
            }
            else if (b == (byte)'\n')
            {
                yield return line;
                line = new List<byte>();
            }
            else
            {
                line.Add(b);
            }
        }
    }
}
