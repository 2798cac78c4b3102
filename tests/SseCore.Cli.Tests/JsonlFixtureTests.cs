using System.Text.Json;
using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary>Every recorded/composed Anthropic stream through <c>ssecat --jsonl</c>, checked against the spec.</summary>
public class JsonlFixtureTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(CliRun.FixturesDirectory, "*.sse").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Fact]
    public void The_fixtures_are_there()
    {
        Assert.True(Fixtures().Count >= 17, $"only {Fixtures().Count} fixtures under {CliRun.FixturesDirectory}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Each_fixture_from_stdin_gives_the_spec_events_then_the_end_line(string fixture)
    {
        byte[] input = File.ReadAllBytes(CliRun.Fixture(fixture));
        CliResult result = await CliRun.RunAsync(input, "--jsonl");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        AssertMatchesSpec(SpecReference.Parse(input), result.StdoutLines);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Each_fixture_as_a_file_operand_gives_the_same_bytes_as_from_stdin(string fixture)
    {
        byte[] input = File.ReadAllBytes(CliRun.Fixture(fixture));
        CliResult fromStdin = await CliRun.RunAsync(input, "--jsonl", "-");
        CliResult fromFile = await CliRun.RunAsync([], CliRun.Fixture(fixture), "--jsonl");

        Assert.Equal(0, fromFile.ExitCode);
        Assert.Equal(fromStdin.StdoutText, fromFile.StdoutText);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Each_fixture_read_a_byte_or_three_at_a_time_gives_the_same_bytes(string fixture)
    {
        byte[] input = File.ReadAllBytes(CliRun.Fixture(fixture));
        CliResult whole = await CliRun.RunAsync(input, "--jsonl");
        foreach (int chunk in new[] { 1, 3 })
        {
            CliResult trickled = await CliRun.RunAsync(new TrickleStream(input, chunk), "--jsonl");
            Assert.Equal(0, trickled.ExitCode);
            Assert.Equal(whole.Stdout, trickled.Stdout);
        }
    }

    [Fact]
    public async Task The_edge_case_fixture_ends_with_retry_3000_and_id_evt_1_and_drops_its_unterminated_event()
    {
        CliResult result = await CliRun.RunAsync(File.ReadAllBytes(CliRun.Fixture("sse_edge_cases.sse")), "--jsonl");

        Assert.Equal(0, result.ExitCode);
        string[] lines = result.StdoutLines;
        string[] types = lines[..^1].Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()!).ToArray();
        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "message", "content_block_stop", "message_delta", "message_stop"],
            types);
        Assert.Equal("""{"end":true,"lastEventId":"evt-1","retry":3000}""", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains("never dispatched", StringComparison.Ordinal));

        // The data split over two lines is joined with LF; "data" alone adds an empty line.
        Assert.Equal(
            "{\"type\":\"content_block_delta\",",
            JsonDocument.Parse(lines[2]).RootElement.GetProperty("data").GetString()!.Split('\n')[0]);
        Assert.Equal(
            "\n{\"type\":\"message_stop\"}",
            JsonDocument.Parse(lines[6]).RootElement.GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_basic_stream_ends_with_no_id_and_a_null_retry()
    {
        CliResult result = await CliRun.RunAsync(File.ReadAllBytes(CliRun.Fixture("basic_text.sse")), "--jsonl");

        Assert.Equal("""{"end":true,"lastEventId":"","retry":null}""", result.StdoutLines[^1]);
    }

    /// <summary>Checks line by line: valid JSON, keys in contract order, values as the spec says, one end line.</summary>
    internal static void AssertMatchesSpec(RefOutcome expected, string[] lines)
    {
        Assert.Equal(expected.Events.Count + 1, lines.Length);
        for (int i = 0; i < expected.Events.Count; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(lines[i]);
            JsonProperty[] props = doc.RootElement.EnumerateObject().ToArray();
            Assert.Equal(["type", "data", "id"], props.Select(p => p.Name));
            RefEvent e = expected.Events[i];
            Assert.Equal(e.Type, props[0].Value.GetString());
            Assert.Equal(e.Data, props[1].Value.GetString());
            Assert.Equal(e.Id, props[2].Value.GetString());
        }

        using JsonDocument end = JsonDocument.Parse(lines[^1]);
        JsonProperty[] endProps = end.RootElement.EnumerateObject().ToArray();
        Assert.Equal(["end", "lastEventId", "retry"], endProps.Select(p => p.Name));
        Assert.True(endProps[0].Value.GetBoolean());
        Assert.Equal(expected.LastEventId, endProps[1].Value.GetString());
        if (expected.Retry is long retry)
        {
            Assert.Equal(retry, endProps[2].Value.GetInt64());
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, endProps[2].Value.ValueKind);
        }
    }
}
