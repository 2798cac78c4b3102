using System.Text.Json;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Anthropic;

/// <summary>Every fixture accumulates to the result its README states, however the bytes are cut.</summary>
public class AccumulatorFixtureTests
{
    public static TheoryData<string> AllFixtures() => Fixtures.All();

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Fixture_UnderEverySegmentation_AccumulatesToTheSameMessage(string name)
    {
        byte[] input = Fixtures.Read(name);
        (Message whole, bool complete) = AnthropicHarness.Accumulate([input]);
        Assert.True(complete);
        string expected = whole.ToJson();

        for (int cut = 0; cut <= input.Length; cut++)
        {
            Assert.Equal(expected, AnthropicHarness.Accumulate(SseHarness.CutAt(input, [cut])).Message.ToJson());
        }

        Assert.Equal(expected, AnthropicHarness.Accumulate(input.Select(b => new[] { b }).ToList()).Message.ToJson());
        Assert.Equal(expected, AnthropicHarness.Accumulate([input], segmentsPerChunk: input.Length).Message.ToJson());
        foreach (string end in new[] { "\r\n", "\r" })
        {
            byte[] reencoded = Chunkings.ReencodeLineEnds(input, end);
            Assert.Equal(expected, AnthropicHarness.Accumulate(SseHarness.CutAt(reencoded, [reencoded.Length / 3, reencoded.Length / 2])).Message.ToJson());
        }
    }

    private static Message Load(string name) => AnthropicHarness.Accumulate(Fixtures.Read(name));

    private static T Block<T>(Message m, int i) => Assert.IsType<T>(m.Content[i]);

    [Theory]
    [InlineData("basic_text.sse")]
    [InlineData("basic_text_crlf.sse")]
    [InlineData("basic_text_cr.sse")]
    [InlineData("basic_text_bom.sse")]
    public void BasicText(string name)
    {
        Message m = Load(name);
        Assert.Equal("Hello!", Assert.Single(m.Content).As<TextBlock>().Text);
        Assert.Equal(StopReasonKind.EndTurn, m.StopReason!.Value.Kind);
        Assert.Equal((25, 15), (m.Usage.InputTokens, m.Usage.OutputTokens));
    }

    [Fact]
    public void ToolUse()
    {
        Message m = Load("tool_use.sse");
        Assert.Equal("Okay, let's check the weather for San Francisco, CA:", Block<TextBlock>(m, 0).Text);
        ToolUseBlock tool = Block<ToolUseBlock>(m, 1);
        Assert.Equal("get_weather", tool.Name);
        Assert.Equal(ContentBlockTypeKind.ToolUse, tool.Type.Kind);
        Assert.Equal("San Francisco, CA", tool.Input!.Value.GetProperty("location").GetString());
        Assert.Equal("fahrenheit", tool.Input!.Value.GetProperty("unit").GetString());
        Assert.Equal(StopReasonKind.ToolUse, m.StopReason!.Value.Kind);
        Assert.Equal(89, m.Usage.OutputTokens);
    }

    [Fact]
    public void ToolUseRecorded_PaddedWireJson()
    {
        Message m = Load("tool_use_recorded.sse");
        Assert.Equal("I'd be happy to check the weather in San Francisco for you. Let me get that information for you right away.", Block<TextBlock>(m, 0).Text);
        Assert.Equal("San Francisco", Block<ToolUseBlock>(m, 1).Input!.Value.GetProperty("city").GetString());
        Assert.Equal(StopReasonKind.ToolUse, m.StopReason!.Value.Kind);
        Assert.Equal(79, m.Usage.OutputTokens);
    }

    [Fact]
    public void ExtendedThinking()
    {
        Message m = Load("extended_thinking.sse");
        ThinkingBlock thinking = Block<ThinkingBlock>(m, 0);
        Assert.Equal(6, thinking.Thinking.Split('\n').Count(l => l.Length > 0 && char.IsDigit(l[0])));
        Assert.StartsWith("Let me solve this step by step:", thinking.Thinking);
        Assert.EndsWith("10,800 + 1,350 + 81 = 12,231", thinking.Thinking);
        Assert.Equal("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", thinking.Signature);
        Assert.Equal("27 * 453 = 12,231", Block<TextBlock>(m, 1).Text);
        Assert.Equal(183, m.Usage.OutputTokens);
        Assert.Equal(151, m.Usage.ThinkingTokens);
        Assert.Equal("standard", m.Usage.ServiceTier);
    }

    [Fact]
    public void WebSearch_ServerToolUse_ResultArrivesWhole_CitationBeforeText()
    {
        Message m = Load("web_search_server_tool_use.sse");
        Assert.Equal(5, m.Content.Count);
        Assert.IsType<TextBlock>(m.Content[0]);
        ToolUseBlock search = Block<ToolUseBlock>(m, 1);
        Assert.Equal(ContentBlockTypeKind.ServerToolUse, search.Type.Kind);
        Assert.Equal("weather NYC today", search.Input!.Value.GetProperty("query").GetString());
        RawContentBlock result = Block<RawContentBlock>(m, 2);
        Assert.Equal(ContentBlockTypeKind.WebSearchToolResult, result.Type.Kind);
        using (JsonDocument doc = JsonDocument.Parse(result.Json))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("content").GetArrayLength());
        }

        TextBlock cited = Block<TextBlock>(m, 4);
        Citation citation = Assert.Single(cited.Citations);
        Assert.Equal("web_search_result_location", citation.Type);
        Assert.Contains("°", m.GetText());
        Assert.Equal(StopReasonKind.EndTurn, m.StopReason!.Value.Kind);
        Assert.NotNull(m.Usage.WebSearchRequests);
    }

    [Fact]
    public void Citations_CharAndPageLocations()
    {
        Message m = Load("citations.sse");
        Assert.Equal(4, m.Content.Count);
        Assert.Empty(Block<TextBlock>(m, 0).Citations);
        Assert.Equal("char_location", Assert.Single(Block<TextBlock>(m, 1).Citations).Type);
        Assert.Empty(Block<TextBlock>(m, 2).Citations);
        Assert.Equal("page_location", Assert.Single(Block<TextBlock>(m, 3).Citations).Type);
    }

    [Fact]
    public void MaxTokens_ToolUseTruncated_InputKeptRawAndFlagged()
    {
        Message m = Load("max_tokens_tool_use_truncated.sse");
        Assert.IsType<TextBlock>(m.Content[0]);
        ToolUseBlock tool = Block<ToolUseBlock>(m, 1);
        Assert.Equal("make_file", tool.Name);
        Assert.False(tool.IsComplete);
        Assert.False(tool.InputIsValid);
        Assert.Null(tool.Input);
        Assert.StartsWith("{\"filename\": \"taxes.txt\"", tool.InputJson);
        Assert.Equal(StopReasonKind.MaxTokens, m.StopReason!.Value.Kind);
        using JsonDocument json = JsonDocument.Parse(m.ToJson());
        Assert.Equal(tool.InputJson, json.RootElement.GetProperty("content")[1].GetProperty("partial_input_json").GetString());
    }

    [Fact]
    public void Refusal_WithStopDetails()
    {
        Message m = Load("refusal_stop_details.sse");
        Assert.Equal(string.Empty, Block<TextBlock>(m, 0).Text);
        Assert.Equal(StopReasonKind.Refusal, m.StopReason!.Value.Kind);
        Assert.Equal("refusal", m.StopDetails!.Type);
        Assert.Equal("cyber", m.StopDetails.Category);
        Assert.NotNull(m.StopDetails.Explanation);
        Assert.Equal(0, m.Usage.OutputTokens);
    }

    [Fact]
    public void RefusalAfterThinking_Recorded()
    {
        Message m = Load("refusal_after_thinking_recorded.sse");
        Assert.IsType<ThinkingBlock>(m.Content[0]);
        Assert.Equal("Hi", Block<TextBlock>(m, 1).Text);
        Assert.Equal(StopReasonKind.Refusal, m.StopReason!.Value.Kind);
        Assert.Equal(106, m.Usage.OutputTokens);
        Assert.Contains("fallback_credit_token", m.StopDetails!.Json);
        Assert.NotNull(m.Usage.IterationsJson);
    }

    [Fact]
    public void InterleavedBlocks_RoutedByIndex()
    {
        Message m = Load("interleaved_blocks.sse");
        ThinkingBlock thinking = Block<ThinkingBlock>(m, 0);
        Assert.Equal(("Let me think.", "sig123"), (thinking.Thinking, thinking.Signature));
        Assert.Equal("Hello world!", Block<TextBlock>(m, 1).Text);
        ToolUseBlock tool = Block<ToolUseBlock>(m, 2);
        Assert.Equal("get_weather", tool.Name);
        Assert.Equal("Los Angeles", tool.Input!.Value.GetProperty("city").GetString());
    }

    [Fact]
    public void Beta_Compaction()
    {
        Message m = Load("beta_compaction.sse");
        CompactionBlock c = Block<CompactionBlock>(m, 0);
        Assert.NotNull(c.Content);
        Assert.NotNull(c.EncryptedContent);
        Assert.Equal("Hello there!", Block<TextBlock>(m, 1).Text);
    }

    [Fact]
    public void Beta_Fallback_RelabelsTheModel()
    {
        Message m = Load("beta_fallback.sse");
        RawContentBlock fallback = Block<RawContentBlock>(m, 0);
        Assert.Equal(ContentBlockTypeKind.Fallback, fallback.Type.Kind);
        Assert.Equal("claude-sonnet-4-5", m.Model);
        Assert.Equal("Hello there!", Block<TextBlock>(m, 1).Text);
    }

    [Fact]
    public void Beta_FallbackCreditUsage()
    {
        Message m = Load("beta_fallback_credit_usage.sse");
        Assert.Equal("Hello there!", m.GetText());
        using JsonDocument doc = JsonDocument.Parse(m.Usage.FallbackCreditJson!);
        Assert.Equal("redeemed", doc.RootElement.GetProperty("status").GetProperty("type").GetString());
    }

    [Fact]
    public void SseEdgeCases_TheUndispatchedDeltaIsNotApplied()
    {
        Message m = Load("sse_edge_cases.sse");
        Assert.Equal("multi-line data", Block<TextBlock>(m, 0).Text);
        Assert.Equal(StopReasonKind.EndTurn, m.StopReason!.Value.Kind);
    }

    [Fact]
    public void Message_ToJson_HasTheApiShape_AndRoundTrips()
    {
        Message m = Load("tool_use.sse");
        using JsonDocument doc = JsonDocument.Parse(m.ToJson());
        JsonElement root = doc.RootElement;
        Assert.Equal(["id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"], root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("message", root.GetProperty("type").GetString());
        Assert.Equal("tool_use", root.GetProperty("content")[1].GetProperty("type").GetString());
        Assert.Equal("fahrenheit", root.GetProperty("content")[1].GetProperty("input").GetProperty("unit").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("stop_sequence").ValueKind);
        Assert.Equal(472, root.GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }
}

internal static class ContentBlockExtensions
{
    public static T As<T>(this ContentBlock block) => Assert.IsType<T>(block);
}
