using System.Globalization;
using System.IO.Pipelines;
using System.Text.RegularExpressions;
using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary>
/// <c>--stats</c>: one line on stderr at the end of every run, in every mode and however it ends.
/// The counts are exact; the times are only checked for their format and consistency (never
/// their values: the machine is shared and noisy).
/// </summary>
public class StatsTests
{
    private const string Fixture = "basic_text.sse";

    // The documented format (docs/SSECAT.md), keys in order.
    private static readonly Regex Line = new(
        @"^stats: events=(?<events>\d+) bytes=(?<bytes>\d+) elapsed_ms=(?<elapsed>\d+\.\d{3}) events_per_s=(?<rate>\d+\.\d) first_event_ms=(?<first>\d+\.\d{3}|none)( input_tokens=(?<in>\d+) output_tokens=(?<out>\d+))?$",
        RegexOptions.CultureInvariant);

    public static TheoryData<string> Modes() => new() { "--events", "--jsonl", "--text", "--message" };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Every_mode_ends_with_one_stats_line_and_prints_the_same_output_as_without(string mode)
    {
        string path = CliRun.Fixture(Fixture);

        CliResult plain = await CliRun.RunAsync([], mode, path);
        CliResult withStats = await CliRun.RunAsync([], mode, "--stats", path);

        Assert.Equal(0, withStats.ExitCode);
        Assert.Equal(plain.Stdout, withStats.Stdout);
        Assert.StartsWith(plain.Stderr, withStats.Stderr, StringComparison.Ordinal);
        Stats stats = Parse(withStats.Stderr[plain.Stderr.Length..]);
        Assert.Equal(8, stats.Events);
        Assert.Equal(new FileInfo(path).Length, stats.Bytes);
        Assert.True(stats.EventsPerSecond > 0, "events_per_s");
        Assert.NotNull(stats.FirstEventMs);
        Assert.InRange(stats.FirstEventMs!.Value, 0, stats.ElapsedMs);
        if (mode is "--text" or "--message")
        {
            Assert.Equal((25, 15), stats.Tokens);
        }
        else
        {
            Assert.Null(stats.Tokens);
        }
    }

    [Fact]
    public async Task Text_mode_writes_the_token_line_then_the_stats_line()
    {
        CliResult result = await CliRun.RunAsync([], "--stats", "--text", CliRun.Fixture(Fixture));

        string[] lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal("Tokens: 25 in, 15 out", lines[0]);
        Assert.Matches(Line, lines[1]);
    }

    [Fact]
    public async Task The_rate_is_the_events_over_the_elapsed_time()
    {
        Stats stats = Parse((await CliRun.RunAsync([], "--jsonl", "--stats", CliRun.Fixture(Fixture))).Stderr);

        // Both are printed rounded: the rate to 0.1, elapsed_ms to 0.001 (a relative error of at most 0.0005 / elapsed_ms).
        double expected = stats.Events * 1000 / stats.ElapsedMs;
        Assert.InRange(stats.EventsPerSecond, (expected * (1 - (0.001 / stats.ElapsedMs))) - 0.05, (expected * (1 + (0.001 / stats.ElapsedMs))) + 0.05);
    }

    [Fact]
    public async Task A_missing_file_has_the_error_line_then_empty_stats()
    {
        string missing = Path.Combine(Path.GetTempPath(), "ssecat-tests-" + Guid.NewGuid().ToString("N") + ".sse");

        CliResult result = await CliRun.RunAsync([], "--stats", missing);

        Assert.Equal(2, result.ExitCode);
        string[] lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("ssecat: ", lines[0], StringComparison.Ordinal);
        Stats stats = Parse(lines[1] + "\n");
        Assert.Equal(0, stats.Events);
        Assert.Equal(0, stats.Bytes);
        Assert.Equal(0, stats.EventsPerSecond);
        Assert.Null(stats.FirstEventMs);
    }

    [Fact]
    public async Task A_limit_exceeded_counts_the_events_before_it()
    {
        byte[] input = Encoding.ASCII.GetBytes("data: ok\n\ndata: 0123456789abcdefghij\n\ndata: after\n\n");

        CliResult result = await CliRun.RunAsync(input, "--jsonl", "--stats", "--max-line-length", "16");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("ssecat: The event stream has a line longer than the limit", result.Stderr, StringComparison.Ordinal);
        Stats stats = Parse(result.Stderr[(result.Stderr.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
        Assert.Equal(1, stats.Events);
        Assert.NotNull(stats.FirstEventMs);
    }

    [Fact]
    public async Task A_truncated_message_counts_what_arrived_and_its_tokens()
    {
        string stream = AnthropicStreams.UpToAndIncluding(Fixture, "message_delta");

        CliResult result = await CliRun.RunAsync(stream, "--message", "--stats");

        Assert.Equal(4, result.ExitCode);
        string[] lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal("ssecat: the stream ended before message_stop: the message is incomplete", lines[0]);
        Stats stats = Parse(lines[1] + "\n");
        Assert.Equal(7, stats.Events);
        Assert.Equal(Encoding.UTF8.GetByteCount(stream), stats.Bytes);
        Assert.Equal((25, 15), stats.Tokens);
    }

    [Fact]
    public async Task An_error_event_as_the_first_event_is_the_first_event()
    {
        CliResult result = await CliRun.RunAsync(AnthropicStreams.OverloadedErrorEvent, "--text", "--stats");

        Assert.Equal(3, result.ExitCode);
        string[] lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal("error: overloaded_error: Overloaded", lines[0]);
        Stats stats = Parse(lines[1] + "\n");
        Assert.Equal(1, stats.Events);
        Assert.NotNull(stats.FirstEventMs);
        Assert.Null(stats.Tokens); // no message_start, no message
    }

    [Theory]
    [InlineData("--jsonl")]
    [InlineData("--text")]
    public async Task Cancellation_still_writes_the_stats_line(string mode)
    {
        var input = new Pipe();
        var output = new Pipe();
        var stderr = new StringWriter { NewLine = "\n" };
        using var cts = new CancellationTokenSource();
        List<string> events = AnthropicStreams.Events(Fixture);
        int firstDelta = events.FindIndex(e => e.StartsWith("event: content_block_delta\n", StringComparison.Ordinal));
        string head = string.Concat(events.Take(firstDelta + 1));

        Task<int> run = SseCat.RunAsync([mode, "--stats"], input.Reader.AsStream(), output.Writer.AsStream(), stderr, cts.Token);
        using var printed = new StreamReader(output.Reader.AsStream(), Encoding.UTF8);
        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes(head));

        // Once the last event's output is there, every event given has been read: ssecat waits for more.
        if (mode == "--text")
        {
            var hello = new char[5];
            await printed.ReadBlockAsync(hello).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("Hello", new string(hello));
        }
        else
        {
            for (int i = 0; i <= firstDelta; i++)
            {
                Assert.NotNull(await printed.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)));
            }
        }

        Assert.False(run.IsCompleted);
        await cts.CancelAsync();

        Assert.Equal(130, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Stats stats = Parse(stderr.ToString());
        Assert.Equal(firstDelta + 1, stats.Events);
        Assert.Equal(Encoding.UTF8.GetByteCount(head), stats.Bytes);
        Assert.NotNull(stats.FirstEventMs);
    }

    [Fact]
    public async Task Help_and_usage_errors_have_no_stats()
    {
        CliResult help = await CliRun.RunAsync([], "--stats", "--help");
        CliResult usage = await CliRun.RunAsync([], "--stats", "--bogus");

        Assert.Equal(0, help.ExitCode);
        Assert.Equal("", help.Stderr);
        Assert.Equal(64, usage.ExitCode);
        Assert.Equal("ssecat: unknown option '--bogus'\n" + CliOptions.Usage, usage.Stderr);
    }

    [Fact]
    public async Task Without_stats_nothing_more_is_written()
    {
        CliResult result = await CliRun.RunAsync([], "--jsonl", CliRun.Fixture(Fixture));

        Assert.Equal("", result.Stderr);
    }

    /// <summary>The stats line, which must be the last line of <paramref name="stderr"/> and the only one after what precedes it.</summary>
    private static Stats Parse(string stderr)
    {
        Assert.EndsWith("\n", stderr, StringComparison.Ordinal);
        string line = stderr[..^1];
        Assert.DoesNotContain('\n', line);
        Match m = Line.Match(line);
        Assert.True(m.Success, "not the documented stats line: " + line);
        double? first = m.Groups["first"].Value == "none" ? null : double.Parse(m.Groups["first"].Value, CultureInfo.InvariantCulture);
        (int, int)? tokens = m.Groups["in"].Success
            ? (int.Parse(m.Groups["in"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["out"].Value, CultureInfo.InvariantCulture))
            : null;
        return new Stats(
            long.Parse(m.Groups["events"].Value, CultureInfo.InvariantCulture),
            long.Parse(m.Groups["bytes"].Value, CultureInfo.InvariantCulture),
            double.Parse(m.Groups["elapsed"].Value, CultureInfo.InvariantCulture),
            double.Parse(m.Groups["rate"].Value, CultureInfo.InvariantCulture),
            first,
            tokens);
    }

    private sealed record Stats(long Events, long Bytes, double ElapsedMs, double EventsPerSecond, double? FirstEventMs, (int In, int Out)? Tokens);
}
