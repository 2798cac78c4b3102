using System.Text;
using SseCore.Anthropic;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>Composing and cutting stream bodies for the HTTP tests.</summary>
internal static class Bodies
{
    /// <summary>A composed stream whose text deltas have 2-, 3- and 4-byte UTF-8 characters.</summary>
    public static readonly byte[] NonAscii = Utf8(
        "event: message_start\n" +
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_utf8\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\n" +
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
        "event: content_block_delta\n" +
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Grüße\"}}\n\n" +
        "event: content_block_delta\n" +
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" 世界\"}}\n\n" +
        "event: content_block_delta\n" +
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" \\u00e9t\\u00e9 🎉\"}}\n\n" +
        "event: content_block_delta\n" +
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" done\"}}\n\n" +
        "event: content_block_stop\n" +
        "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\n" +
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n" +
        "event: message_stop\n" +
        "data: {\"type\":\"message_stop\"}\n\n");

    public const string OverloadedErrorJson = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"request_id\":\"req_x\"}";

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static byte[] ErrorEvent(string requestId) =>
        Utf8("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"request_id\":\"" + requestId + "\"}\n\n");

    /// <summary>Splits an LF body into its events, each with its terminating blank line.</summary>
    public static List<byte[]> SplitEvents(byte[] body)
    {
        var events = new List<byte[]>();
        int start = 0;
        for (int i = 1; i < body.Length; i++)
        {
            if (body[i] == (byte)'\n' && body[i - 1] == (byte)'\n')
            {
                events.Add(body[start..(i + 1)]);
                start = i + 1;
            }
        }

        Assert.Equal(body.Length, start);
        return events;
    }

    public static byte[] Join(IEnumerable<byte[]> parts) => parts.SelectMany(p => p).ToArray();

    public static int IndexOf(byte[] body, string ascii)
    {
        int i = body.AsSpan().IndexOf(Encoding.ASCII.GetBytes(ascii));
        Assert.True(i >= 0, $"'{ascii}' not in the body");
        return i;
    }

    /// <summary>The [start, end) byte ranges of the <c>data:</c> lines (without their line end).</summary>
    public static List<(int Start, int End)> DataLines(byte[] body)
    {
        var lines = new List<(int, int)>();
        int i = 0;
        while (i < body.Length)
        {
            int end = i;
            while (end < body.Length && body[end] is not ((byte)'\r' or (byte)'\n'))
            {
                end++;
            }

            if (body.AsSpan(i, end - i).StartsWith("data:"u8))
            {
                lines.Add((i, end));
            }

            i = end < body.Length && body[end] == (byte)'\r' && end + 1 < body.Length && body[end + 1] == (byte)'\n' ? end + 2 : end + 1;
        }

        return lines;
    }

    /// <summary>Offsets of the bytes that continue a multi-byte UTF-8 character: a cut there splits the character.</summary>
    public static List<int> InsideUtf8Characters(byte[] body) =>
        Enumerable.Range(0, body.Length).Where(i => (body[i] & 0xC0) == 0x80).ToList();

    /// <summary>The current event's raw name and data (synchronous: the event is a ref struct).</summary>
    public static (string Name, string Data) CurrentRaw(MessageStream stream)
    {
        SseEvent e = stream.CurrentSseEvent;
        return (Encoding.UTF8.GetString(e.EventType), Encoding.UTF8.GetString(e.Data));
    }

    public static string CurrentText(MessageStream stream) => Encoding.UTF8.GetString(stream.CurrentText);
}
