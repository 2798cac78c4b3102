namespace SseCore.Cli.Tests.Infrastructure;

/// <summary>One dispatched event as the spec defines it, decoded to strings.</summary>
public sealed record RefEvent(string Type, string Data, string Id);

/// <summary>The end of a stream: its events, last event ID string and reconnection time.</summary>
public sealed record RefOutcome(IReadOnlyList<RefEvent> Events, string LastEventId, long? Retry);

/// <summary>
/// An independent, deliberately naive reading of the WHATWG "Parsing an event stream" algorithm
/// (whole input, split into lines, then interpreted), so the CLI's output is checked against the
/// spec and not against the library it uses.
/// </summary>
public static class SpecReference
{
    public static RefOutcome Parse(byte[] input)
    {
        // Decode first (the spec decodes with UTF-8 decode, which strips one BOM), then split lines.
        string text = Encoding.UTF8.GetString(input);
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        var lines = new List<string>();
        var current = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\r' || c == '\n')
            {
                lines.Add(current.ToString());
                current.Clear();
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                continue;
            }

            current.Append(c);
        }

        // What is left in current is a last line without a line end: the spec discards it at EOF.

        var events = new List<RefEvent>();
        var data = new StringBuilder();
        string type = "";
        string idBuffer = "";
        string lastEventId = "";
        long? retry = null;
        foreach (string line in lines)
        {
            if (line.Length == 0)
            {
                lastEventId = idBuffer;
                if (data.Length == 0)
                {
                    type = "";
                    continue;
                }

                string d = data.ToString();
                if (d.EndsWith('\n'))
                {
                    d = d[..^1];
                }

                events.Add(new RefEvent(type.Length == 0 ? "message" : type, d, lastEventId));
                data.Clear();
                type = "";
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            int colon = line.IndexOf(':');
            string field = colon < 0 ? line : line[..colon];
            string value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "event":
                    type = value;
                    break;
                case "data":
                    data.Append(value).Append('\n');
                    break;
                case "id":
                    if (!value.Contains('\0'))
                    {
                        idBuffer = value;
                    }

                    break;
                case "retry":
                    if (value.Length > 0 && value.All(char.IsAsciiDigit))
                    {
                        retry = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    }

                    break;
            }
        }

        return new RefOutcome(events, lastEventId, retry);
    }
}
