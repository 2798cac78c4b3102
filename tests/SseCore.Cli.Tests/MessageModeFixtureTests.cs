using System.Text.Json;
using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary>
/// Every Anthropic fixture through <c>--message</c> (checked against the expected results of
/// tests/fixtures/anthropic/README.md) and <c>--text</c> (checked against the text deltas read
/// with the spec reference), from a file and from stdin.
/// </summary>
public class MessageModeFixtureTests
{
    private const string SanFranciscoText = "I'd be happy to check the weather in San Francisco for you. Let me get that information for you right away.";
    private const string TaxGuideText = "I'll create a comprehensive tax guide for someone with multiple W2s and save it in a file called taxes.txt. Let me do that for you now.";

    /// <summary>What a fixture's message must be: its text blocks, its tool calls (name and input), stop reason and usage.</summary>
    private sealed record Expected(string[] Texts, (string Name, string Input)[] Tools, string StopReason, int InputTokens, int OutputTokens, Action<JsonElement>? More = null);

    private static readonly Dictionary<string, Expected> ExpectedResults = new()
    {
        ["basic_text.sse"] = new(["Hello!"], [], "end_turn", 25, 15),
        ["basic_text_crlf.sse"] = new(["Hello!"], [], "end_turn", 25, 15),
        ["basic_text_cr.sse"] = new(["Hello!"], [], "end_turn", 25, 15),
        ["basic_text_bom.sse"] = new(["Hello!"], [], "end_turn", 25, 15),
        ["tool_use.sse"] = new(
            ["Okay, let's check the weather for San Francisco, CA:"],
            [("get_weather", """{"location":"San Francisco, CA","unit":"fahrenheit"}""")],
            "tool_use", 472, 89),
        ["tool_use_recorded.sse"] = new([SanFranciscoText], [("get_weather", """{"city":"San Francisco"}""")], "tool_use", 394, 79),
        ["extended_thinking.sse"] = new(["27 * 453 = 12,231"], [], "end_turn", 46, 183, m =>
        {
            JsonElement thinking = m.GetProperty("content")[0];
            Assert.Equal("thinking", thinking.GetProperty("type").GetString());
            string text = thinking.GetProperty("thinking").GetString()!;
            Assert.StartsWith("Let me solve this step by step:\n\n1. ", text, StringComparison.Ordinal);
            Assert.EndsWith("\n6. 10,800 + 1,350 + 81 = 12,231", text, StringComparison.Ordinal);
            Assert.Equal("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", thinking.GetProperty("signature").GetString());
            Assert.Equal(151, m.GetProperty("usage").GetProperty("output_tokens_details").GetProperty("thinking_tokens").GetInt32());
        }),
        ["web_search_server_tool_use.sse"] = new(
            [
                "I'll check the current weather in New York City for you.",
                "Here's the current weather information for New York City:\n\n",
                "It is partly cloudy today with a high near 68\u00B0F and light southwest winds.",
            ],
            [("web_search", """{"query":"weather NYC today"}""")],
            "end_turn", 10682, 510, m =>
            {
                JsonElement content = m.GetProperty("content");
                Assert.Equal(["text", "server_tool_use", "web_search_tool_result", "text", "text"], content.EnumerateArray().Select(b => b.GetProperty("type").GetString()));
                Assert.Equal(2, content[2].GetProperty("content").GetArrayLength());
                JsonElement citation = Assert.Single(content[4].GetProperty("citations").EnumerateArray());
                Assert.Equal("web_search_result_location", citation.GetProperty("type").GetString());
            }),
        ["citations.sse"] = new(["According to the document, ", "1 + 1 = 2", ", and ", "revenue increased"], [], "end_turn", 610, 41, m =>
        {
            JsonElement content = m.GetProperty("content");
            Assert.Equal([0, 1, 0, 1], content.EnumerateArray().Select(b => b.TryGetProperty("citations", out JsonElement c) ? c.GetArrayLength() : 0));
            Assert.Equal("char_location", content[1].GetProperty("citations")[0].GetProperty("type").GetString());
            Assert.Equal("page_location", content[3].GetProperty("citations")[0].GetProperty("type").GetString());
        }),
        ["max_tokens_tool_use_truncated.sse"] = new(
            [TaxGuideText],
            [("make_file", """{"filename":"taxes.txt","lines_of_text":["# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS WITH MULTIPLE W-2s","","## INTRODUCTION","","Filing taxes"]}""")],
            "max_tokens", 450, 124, m =>
        {
            // The input was cut short: its snapshot (the open string and array closed), marked, plus the text as received.
            JsonElement tool = m.GetProperty("content")[1];
            Assert.True(tool.GetProperty("truncated").GetBoolean());
            string partial = tool.GetProperty("partial_input_json").GetString()!;
            Assert.StartsWith("{\"filename\": \"taxes.txt\", \"lines_of_text\": [\n", partial, StringComparison.Ordinal);
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(partial).Dispose());
        }),
        ["refusal_stop_details.sse"] = new([""], [], "refusal", 20, 0, m =>
        {
            JsonElement details = m.GetProperty("stop_details");
            Assert.Equal("refusal", details.GetProperty("type").GetString());
            Assert.Equal("cyber", details.GetProperty("category").GetString());
            Assert.False(string.IsNullOrEmpty(details.GetProperty("explanation").GetString()));
        }),
        ["refusal_after_thinking_recorded.sse"] = new(["Hi"], [], "refusal", 28, 106, m =>
        {
            Assert.Equal("thinking", m.GetProperty("content")[0].GetProperty("type").GetString());
            Assert.Equal("refusal", m.GetProperty("stop_details").GetProperty("type").GetString());
        }),
        ["interleaved_blocks.sse"] = new(["Hello world!"], [("get_weather", """{"city":"Los Angeles"}""")], "tool_use", 50, 40, m =>
        {
            JsonElement thinking = m.GetProperty("content")[0];
            Assert.Equal("Let me think.", thinking.GetProperty("thinking").GetString());
            Assert.Equal("sig123", thinking.GetProperty("signature").GetString());
        }),
        ["beta_compaction.sse"] = new(["Hello there!"], [], "end_turn", 30, 8, m =>
        {
            JsonElement compaction = m.GetProperty("content")[0];
            Assert.Equal("compaction", compaction.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(compaction.GetProperty("content").GetString()));
            Assert.False(string.IsNullOrEmpty(compaction.GetProperty("encrypted_content").GetString()));
        }),
        ["beta_fallback.sse"] = new(["Hello there!"], [], "end_turn", 25, 8, m =>
            Assert.Equal("fallback", m.GetProperty("content")[0].GetProperty("type").GetString())),
        ["beta_fallback_credit_usage.sse"] = new(["Hello there!"], [], "end_turn", 25, 8, m =>
            Assert.Equal("redeemed", m.GetProperty("usage").GetProperty("fallback_credit").GetProperty("status").GetProperty("type").GetString())),
        ["sse_edge_cases.sse"] = new(["multi-line data"], [], "end_turn", 5, 3),
    };

    public static TheoryData<string> Fixtures() => JsonlFixtureTests.Fixtures();

    [Fact]
    public void Every_fixture_has_its_expected_result()
    {
        string[] fixtures = Directory.GetFiles(CliRun.FixturesDirectory, "*.sse").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(fixtures, ExpectedResults.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Message_prints_the_fixtures_expected_message_as_one_json_line(string fixture)
    {
        byte[] input = File.ReadAllBytes(CliRun.Fixture(fixture));
        CliResult fromFile = await CliRun.RunAsync([], "--message", CliRun.Fixture(fixture));
        CliResult fromStdin = await CliRun.RunAsync(new TrickleStream(input, 7), "--message");

        Assert.Equal(0, fromFile.ExitCode);
        Assert.Equal("", fromFile.Stderr);
        Assert.Equal(fromFile.Stdout, fromStdin.Stdout);
        Assert.Equal(0, fromStdin.ExitCode);
        string line = Assert.Single(fromFile.StdoutLines);
        using var doc = JsonDocument.Parse(line);
        AssertMessage(ExpectedResults[fixture], doc.RootElement);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Text_prints_exactly_the_text_deltas_and_the_tokens_on_stderr(string fixture)
    {
        byte[] input = File.ReadAllBytes(CliRun.Fixture(fixture));
        Expected expected = ExpectedResults[fixture];
        CliResult fromFile = await CliRun.RunAsync([], CliRun.Fixture(fixture), "--text");
        CliResult fromStdin = await CliRun.RunAsync(new TrickleStream(input, 5), "--text", "-");

        Assert.Equal(0, fromFile.ExitCode);
        Assert.Equal(AnthropicStreams.ReferenceText(input), fromFile.StdoutText);
        Assert.Equal(string.Concat(expected.Texts), fromFile.StdoutText); // every text block starts empty
        Assert.Equal($"Tokens: {expected.InputTokens} in, {expected.OutputTokens} out\n", fromFile.Stderr);
        Assert.Equal(0, fromStdin.ExitCode);
        Assert.Equal(fromFile.Stdout, fromStdin.Stdout);
        Assert.Equal(fromFile.Stderr, fromStdin.Stderr);
    }

    private static void AssertMessage(Expected expected, JsonElement message)
    {
        Assert.Equal(
            ["id", "type", "role", "model", "content", "stop_reason", "stop_sequence"],
            message.EnumerateObject().Select(p => p.Name).Where(n => n is not ("stop_details" or "usage")));
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.StartsWith("msg_", message.GetProperty("id").GetString(), StringComparison.Ordinal);

        JsonElement[] content = message.GetProperty("content").EnumerateArray().ToArray();
        Assert.Equal(expected.Texts, content.Where(b => b.GetProperty("type").GetString() == "text").Select(b => b.GetProperty("text").GetString()));
        (string, string)[] tools = content
            .Where(b => b.GetProperty("type").GetString() is "tool_use" or "server_tool_use")
            .Select(b => (b.GetProperty("name").GetString()!, JsonSerializer.Serialize(b.GetProperty("input"))))
            .ToArray();
        Assert.Equal(expected.Tools, tools);

        Assert.Equal(expected.StopReason, message.GetProperty("stop_reason").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("stop_sequence").ValueKind);
        JsonElement usage = message.GetProperty("usage");
        Assert.Equal(expected.InputTokens, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(expected.OutputTokens, usage.GetProperty("output_tokens").GetInt32());
        expected.More?.Invoke(message);
    }
}
