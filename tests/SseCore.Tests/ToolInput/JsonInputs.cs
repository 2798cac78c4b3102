using System.Text;
using System.Text.Json;
using SseCore.Anthropic;

namespace SseCore.Tests.ToolInput;

/// <summary>
/// Builds JSON objects from generated ints (each int a choice, so FsCheck shrinks a failure to a
/// short, simple input): nesting, escapes, surrogate pairs, raw non-ASCII, numbers of every form,
/// empty containers, whitespace between tokens.
/// </summary>
internal static class JsonInputs
{
    private static readonly string[] Keys = ["a", "path", "naïve", "q\\\"uote", "\\u00e9t\\u00e9", "emoji😀", "", "back\\\\slash", "tab\\t"];

    private static readonly string[] StringPieces =
    [
        "hello", " world", "\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u00e9", "\\ud83d\\ude00", "é中", "😀", "", "x", "\\u4e2d", "\\b\\f\\r",
    ];

    private static readonly string[] Numbers = ["0", "-1", "123", "1.5", "-0.25e10", "6.02E+23", "1e-7", "12345678901234567890", "0.0", "-0", "7"];

    private static readonly string[] Spaces = ["", "", "", " ", "\n  ", "\t", "\r\n"];

    public static byte[] Object(int[] choices)
    {
        var c = new Choices(choices);
        var sb = new StringBuilder();
        WriteObject(sb, c, 0);
        sb.Append(c.Space());
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void WriteObject(StringBuilder sb, Choices c, int depth)
    {
        int members = depth == 0 ? 1 + c.Next(6) : depth > 4 ? c.Next(2) : c.Next(6);
        sb.Append('{').Append(c.Space());
        for (int i = 0; i < members; i++)
        {
            if (i > 0)
            {
                sb.Append(c.Space()).Append(',').Append(c.Space());
            }

            // Distinct names: a suffix per member.
            sb.Append('"').Append(Keys[c.Next(Keys.Length)]).Append(i == 0 ? string.Empty : "_" + i).Append('"').Append(c.Space()).Append(':').Append(c.Space());
            WriteValue(sb, c, depth + 1);
        }

        sb.Append(c.Space()).Append('}');
    }

    private static void WriteValue(StringBuilder sb, Choices c, int depth)
    {
        switch (c.Next(depth > 5 ? 6 : 9))
        {
            case 0:
            case 1:
                sb.Append('"');
                int pieces = c.Next(6);
                for (int i = 0; i < pieces; i++)
                {
                    sb.Append(StringPieces[c.Next(StringPieces.Length)]);
                }

                sb.Append('"');
                break;
            case 2:
            case 3:
                sb.Append(Numbers[c.Next(Numbers.Length)]);
                break;
            case 4:
                sb.Append(c.Next(2) == 0 ? "true" : "false");
                break;
            case 5:
                sb.Append("null");
                break;
            case 6:
            case 7:
                WriteObject(sb, c, depth);
                break;
            default:
                int items = c.Next(5);
                sb.Append('[').Append(c.Space());
                for (int i = 0; i < items; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(c.Space()).Append(',').Append(c.Space());
                    }

                    WriteValue(sb, c, depth + 1);
                }

                sb.Append(c.Space()).Append(']');
                break;
        }
    }

    /// <summary>Offsets where the text is cut into deltas, sorted, within [0, length].</summary>
    public static List<byte[]> Split(byte[] json, int[] cuts)
    {
        int[] at = cuts.Select(x => (int)((uint)x % (uint)(json.Length + 1))).Append(0).Append(json.Length).Distinct().Order().ToArray();
        var deltas = new List<byte[]>();
        for (int i = 1; i < at.Length; i++)
        {
            deltas.Add(json[at[i - 1]..at[i]]);
        }

        return deltas;
    }

    /// <summary>A delta's text as the wire carries it inside <c>partial_json</c>: escaped as a JSON string's content.</summary>
    public static byte[] EscapeAsJsonString(ReadOnlySpan<byte> utf8)
    {
        var escaped = new List<byte>();
        foreach (byte b in utf8)
        {
            switch (b)
            {
                case (byte)'"': escaped.AddRange("\\\""u8.ToArray()); break;
                case (byte)'\\': escaped.AddRange("\\\\"u8.ToArray()); break;
                case (byte)'\n': escaped.AddRange("\\n"u8.ToArray()); break;
                case < 0x20: escaped.AddRange(Encoding.ASCII.GetBytes($"\\u{b:x4}")); break;
                default: escaped.Add(b); break;
            }
        }

        return escaped.ToArray();
    }

    /// <summary>
    /// Whether <paramref name="snapshot"/> is a prefix of <paramref name="final"/>: same kinds,
    /// scalars equal, strings prefixes, objects' members a subset, arrays' items a prefix.
    /// </summary>
    public static bool IsPrefix(JsonElement snapshot, JsonElement final, out string why)
    {
        why = string.Empty;
        if (snapshot.ValueKind != final.ValueKind)
        {
            why = $"{snapshot.GetRawText()} is a {snapshot.ValueKind}, the final value {final.GetRawText()}";
            return false;
        }

        switch (snapshot.ValueKind)
        {
            case JsonValueKind.String:
                if (!final.GetString()!.StartsWith(snapshot.GetString()!, StringComparison.Ordinal))
                {
                    why = $"string {snapshot.GetRawText()} does not begin {final.GetRawText()}";
                    return false;
                }

                return true;
            case JsonValueKind.Object:
                foreach (JsonProperty p in snapshot.EnumerateObject())
                {
                    if (!final.TryGetProperty(p.Name, out JsonElement f))
                    {
                        why = $"member {p.Name} is not in {final.GetRawText()}";
                        return false;
                    }

                    if (!IsPrefix(p.Value, f, out why))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                if (snapshot.GetArrayLength() > final.GetArrayLength())
                {
                    why = $"{snapshot.GetRawText()} is longer than {final.GetRawText()}";
                    return false;
                }

                for (int i = 0; i < snapshot.GetArrayLength(); i++)
                {
                    if (!IsPrefix(snapshot[i], final[i], out why))
                    {
                        return false;
                    }
                }

                return true;
            default:
                if (!JsonElement.DeepEquals(snapshot, final))
                {
                    why = $"{snapshot.GetRawText()} != {final.GetRawText()}";
                    return false;
                }

                return true;
        }
    }

    public static string Snapshot(StreamingToolInput input)
    {
        byte[] buffer = new byte[input.SnapshotLength];
        int n = input.WriteSnapshot(buffer);
        Assert.Equal(buffer.Length, n);
        return Encoding.UTF8.GetString(buffer);
    }

    private sealed class Choices(int[] values)
    {
        private int _next;

        public int Next(int bound)
        {
            if (_next >= values.Length)
            {
                return 0;
            }

            // Scattered, so that FsCheck's small ints still pick every branch.
            return (int)((unchecked((uint)values[_next++] * 2654435761u) >> 8) % (uint)bound);
        }

        public string Space() => Spaces[Next(Spaces.Length)];
    }
}
