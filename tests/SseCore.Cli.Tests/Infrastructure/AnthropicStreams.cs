using System.Text.Json;

namespace SseCore.Cli.Tests.Infrastructure;

/// <summary>Messages API streams for the --text and --message tests: fixtures cut and spliced, and a reference reading.</summary>
public static class AnthropicStreams
{
    /// <summary>The error event the API sends mid-stream.</summary>
    public const string OverloadedErrorEvent =
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"request_id\":\"req_1\"}\n\n";

    /// <summary>The events of an LF fixture, each with its blank line.</summary>
    public static List<string> Events(string fixture)
    {
        string text = File.ReadAllText(CliRun.Fixture(fixture), new UTF8Encoding(false));
        Assert.DoesNotContain('\r', text);
        return text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e + "\n\n").ToList();
    }

    /// <summary>The fixture with <paramref name="insert"/> after its <paramref name="deltas"/>-th <c>content_block_delta</c> (0: before the first event).</summary>
    public static string InsertAfterDeltas(string fixture, int deltas, string insert)
    {
        List<string> events = Events(fixture);
        int at = 0;
        for (int seen = 0; seen < deltas; at++)
        {
            if (events[at].StartsWith("event: content_block_delta\n", StringComparison.Ordinal))
            {
                seen++;
            }
        }

        events.Insert(at, insert);
        return string.Concat(events);
    }

    /// <summary>The fixture's events up to and including the first of type <paramref name="eventType"/>.</summary>
    public static string UpToAndIncluding(string fixture, string eventType)
    {
        List<string> events = Events(fixture);
        int end = events.FindIndex(e => e.StartsWith($"event: {eventType}\n", StringComparison.Ordinal));
        Assert.True(end >= 0, $"{fixture} has no {eventType}");
        return string.Concat(events.Take(end + 1));
    }

    /// <summary>
    /// The text of every <c>text_delta</c>, concatenated, read with the spec reference and
    /// JsonDocument (not with the library): what <c>--text</c> must print.
    /// </summary>
    public static string ReferenceText(byte[] stream) => string.Concat(ReferenceTextDeltas(stream));

    /// <summary>The text of each <c>text_delta</c> in order, read with the spec reference.</summary>
    public static List<string> ReferenceTextDeltas(byte[] stream)
    {
        var deltas = new List<string>();
        foreach (RefEvent e in SpecReference.Parse(stream).Events)
        {
            if (e.Type != "content_block_delta")
            {
                continue;
            }

            using var doc = JsonDocument.Parse(e.Data);
            JsonElement delta = doc.RootElement.GetProperty("delta");
            if (delta.GetProperty("type").GetString() == "text_delta")
            {
                deltas.Add(delta.GetProperty("text").GetString()!);
            }
        }

        return deltas;
    }
}
