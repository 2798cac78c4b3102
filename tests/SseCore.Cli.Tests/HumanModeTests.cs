using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary>The default output: readable, documented in docs/SSECAT.md, not a contract.</summary>
public class HumanModeTests
{
    [Fact]
    public async Task Each_event_prints_as_normalized_SSE_lines_and_a_blank_line()
    {
        byte[] input = CliRun.Latin1(
            ": comment\r\n" +
            "event: first\r\n" +
            "data:plain\r\n" +
            "\r\n" +
            "id: 7\r" +
            "event:\r" +
            "data: two\r" +
            "data:\r" +
            "data: lines\r" +
            "\r" +
            "data: esc\x1b[31m del\x7f c1\xc2\x9b bad\xff tab\t caf\xc3\xa9\n" +
            "\n" +
            "data\n" +
            "\n" +
            "retry: 10\n" +
            "data: unterminated");

        string expected =
            "event: first\n" +
            "data: plain\n" +
            "\n" +
            "event: message\n" +
            "id: 7\n" +
            "data: two\n" +
            "data:\n" +
            "data: lines\n" +
            "\n" +
            "event: message\n" +
            "id: 7\n" +
            "data: esc\u241B[31m del\u2421 c1\uFFFD bad\uFFFD tab\t caf\u00E9\n" +
            "\n" +
            "event: message\n" +
            "id: 7\n" +
            "data:\n" +
            "\n";

        CliResult result = await CliRun.RunAsync(input);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Equal(expected, result.StdoutText);
    }

    [Fact]
    public async Task An_empty_input_prints_nothing()
    {
        CliResult result = await CliRun.RunAsync([]);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [MemberData(nameof(JsonlFixtureTests.Fixtures), MemberType = typeof(JsonlFixtureTests))]
    public async Task Each_fixture_prints_one_block_per_spec_event(string fixture)
    {
        byte[] input = File.ReadAllBytes(CliRun.Fixture(fixture));
        RefOutcome expected = SpecReference.Parse(input);

        CliResult result = await CliRun.RunAsync(input, "-");

        Assert.Equal(0, result.ExitCode);
        string[] blocks = result.StdoutText.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Events.Count, blocks.Length);
        for (int i = 0; i < blocks.Length; i++)
        {
            Assert.StartsWith("event: " + expected.Events[i].Type + "\n", blocks[i], StringComparison.Ordinal);
        }
    }
}
