using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Shared;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// Whole streams over a real socket (HttpClient + SendMessageStreamAsync against loopback
/// Kestrel), served in random chunk sizes with small delays: every fixture gives the message its
/// README describes, whatever way it is read; unknown events and pings change nothing but are
/// visible; text is handed out as soon as it arrives.
/// </summary>
public class SocketStreamTests(LoopbackFixture loopback) : IClassFixture<LoopbackFixture>
{
    /// <summary>Chunk profiles: (min, max, max delay ms). Seed i uses profile i % 3, and read mode i % 3.</summary>
    private static readonly (int Min, int Max, int Delay)[] Profiles = [(1, 7, 0), (1, 64, 1), (100, 700, 2)];

    public static TheoryData<string, int> FixturesAndSeeds()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Fixtures.Names)
        {
            for (int seed = 0; seed < 3; seed++)
            {
                data.Add(name, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixturesAndSeeds))]
    public async Task EveryFixture_InRandomChunks_GivesTheReadmeMessage(string fixture, int seed)
    {
        byte[] body = Fixtures.Read(fixture);
        RefMessage expected = RefMessage.FoldBytes(body);
        (int min, int max, int delay) = Profiles[seed % Profiles.Length];
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed * 7919 + fixture.Length, min, max, delay));

        Message message;
        switch (seed % 3)
        {
            case 0:
                message = await stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard);
                break;
            case 1:
            {
                var text = new StringBuilder();
                await foreach (string delta in stream.GetTextStreamAsync())
                {
                    text.Append(delta);
                }

                Assert.Equal(expected.DeltaText.ToString(), text.ToString());
                message = await stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard);
                break;
            }

            default:
            {
                var utf8 = new List<byte>();
                while (await stream.MoveNextTextAsync().AsTask().WaitAsync(LoopbackFixture.Guard))
                {
                    Assert.Equal(AnthropicEventKind.ContentBlockDelta, stream.CurrentKind);
                    utf8.AddRange(stream.CurrentText.ToArray());
                }

                Assert.Equal(expected.DeltaText.ToString(), Encoding.UTF8.GetString(utf8.ToArray()));
                message = stream.GetCurrentMessage();
                break;
            }
        }

        Assert.Equal(MessageStreamOutcome.Completed, stream.Outcome);
        Assert.True(stream.IsComplete);
        Assert.True(expected.Complete);
        RefAssert.Matches(expected, message);
        AssertReadme(fixture, message);
    }

    [Theory]
    [InlineData("basic_text.sse")]
    [InlineData("tool_use.sse")]
    [InlineData("interleaved_blocks.sse")]
    [InlineData("web_search_server_tool_use.sse")]
    public async Task UnknownEventsPingsDoneAndComments_Interleaved_ChangeNothing_AndAreVisible(string fixture)
    {
        byte[] original = Fixtures.Read(fixture);
        (string Name, string Data)[] inserts =
        [
            ("vertex_event", "{\"foo\":1}"),
            ("ping", "{\"type\": \"ping\"}"),
            ("message", "[DONE]"),
            (string.Empty, string.Empty), // a comment: invisible
        ];
        var parts = new List<byte[]>();
        var expectedVisible = new List<(string Name, string Data)>();
        List<byte[]> events = Bodies.SplitEvents(original);
        for (int i = 0; i <= events.Count; i++)
        {
            (string name, string data) = inserts[i % inserts.Length];
            parts.Add(Bodies.Utf8(name switch
            {
                "" => ": keep-alive\n",
                "message" => $"data: {data}\n\n",
                _ => $"event: {name}\ndata: {data}\n\n",
            }));
            if (name.Length > 0)
            {
                expectedVisible.Add((name, data));
            }

            if (i < events.Count)
            {
                parts.Add(events[i]);
                expectedVisible.Add(RefMessage.Frame(events[i]).Single());
            }
        }

        byte[] body = Bodies.Join(parts);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 5, minChunk: 1, maxChunk: 40, maxDelayMs: 1));
        var seen = new List<(string Name, string Data)>();
        while (await stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard))
        {
            (string name, string data) = Bodies.CurrentRaw(stream);
            seen.Add((name, data));
            AnthropicEventKind kind = stream.CurrentKind;
            if (name is "vertex_event" or "message")
            {
                Assert.Equal(AnthropicEventKind.Unknown, kind);
                Assert.Equal(AnthropicEventKind.Unknown, DecodedKind(stream));
            }
            else if (name == "ping")
            {
                Assert.Equal(AnthropicEventKind.Ping, kind);
            }
            else
            {
                Assert.NotEqual(AnthropicEventKind.Unknown, kind);
            }
        }

        Assert.Equal(expectedVisible, seen);
        Assert.Equal(MessageStreamOutcome.Completed, stream.Outcome);
        RefAssert.Matches(RefMessage.FoldBytes(original), stream.GetCurrentMessage());
        Assert.Equal(await FinalOfAsync(original), stream.GetCurrentMessage().ToJson());
    }

    [Fact]
    public async Task Text_IsHandedOut_BeforeTheServerWritesMore()
    {
        List<byte[]> events = Bodies.SplitEvents(Fixtures.Read("basic_text.sse"));

        // message_start, content_block_start, ping, the "Hello" delta | the rest.
        byte[] head = Bodies.Join(events.Take(4));
        byte[] tail = Bodies.Join(events.Skip(4));
        using var release = new SemaphoreSlim(0);
        int wroteTail = 0;
        await using MessageStream stream = await loopback.OpenAsync(async ctx =>
        {
            await LoopbackSseServer.ServeChunkedAsync(ctx, head, seed: 9, minChunk: 1, maxChunk: 16, maxDelayMs: 1);
            Assert.True(await release.WaitAsync(LoopbackFixture.Guard, ctx.RequestAborted));
            Volatile.Write(ref wroteTail, 1);
            await ctx.Response.Body.WriteAsync(tail);
        });

        Assert.True(await stream.MoveNextTextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal("Hello", Bodies.CurrentText(stream));
        Assert.Equal(0, Volatile.Read(ref wroteTail));
        Assert.Equal("Hello", stream.GetCurrentMessage().GetText());

        release.Release();
        Assert.True(await stream.MoveNextTextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal(1, Volatile.Read(ref wroteTail));
        Assert.Equal("!", Bodies.CurrentText(stream));
        Message message = await stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard);
        Assert.Equal("Hello!", message.GetText());
    }

    [Fact]
    public async Task GetTextStream_YieldsEachDelta_BeforeTheServerWritesMore()
    {
        byte[] body = Bodies.NonAscii;
        List<byte[]> events = Bodies.SplitEvents(body);
        string[] deltas = ["Grüße", " 世界", " été 🎉", " done"];
        var gates = deltas.Select(_ => new SemaphoreSlim(0)).ToArray();
        int written = 0;
        await using MessageStream stream = await loopback.OpenAsync(async ctx =>
        {
            // Two events and the first delta, then each delta alone once the client saw the previous
            // one. `written` counts the deltas the server has begun to write.
            Volatile.Write(ref written, 1);
            await LoopbackSseServer.ServeChunkedAsync(ctx, Bodies.Join(events.Take(3)), seed: 3, minChunk: 1, maxChunk: 8, maxDelayMs: 0);
            for (int i = 1; i < deltas.Length; i++)
            {
                Assert.True(await gates[i - 1].WaitAsync(LoopbackFixture.Guard, ctx.RequestAborted));
                Volatile.Write(ref written, i + 1);
                await ctx.Response.Body.WriteAsync(events[2 + i]);
            }

            Assert.True(await gates[^1].WaitAsync(LoopbackFixture.Guard, ctx.RequestAborted));
            Volatile.Write(ref written, deltas.Length + 1);
            await ctx.Response.Body.WriteAsync(Bodies.Join(events.Skip(2 + deltas.Length)));
        });

        int n = 0;
        await foreach (string delta in stream.GetTextStreamAsync())
        {
            Assert.Equal(deltas[n], delta);
            Assert.Equal(n + 1, Volatile.Read(ref written));
            gates[n++].Release();
        }

        Assert.Equal(deltas.Length, n);
        Assert.Equal(string.Concat(deltas), stream.GetCurrentMessage().GetText());
        foreach (SemaphoreSlim gate in gates)
        {
            gate.Dispose();
        }
    }

    private static AnthropicEventKind DecodedKind(MessageStream stream) => stream.Current.Kind;

    private static async Task<string> FinalOfAsync(byte[] body)
    {
        await using MessageStream plain = MessageStream.Create(new MemoryStream(body));
        return (await plain.GetFinalMessageAsync()).ToJson();
    }

    /// <summary>The expected results of tests/fixtures/anthropic/README.md, written out.</summary>
    private static void AssertReadme(string fixture, Message m)
    {
        string Text(int i) => Assert.IsType<TextBlock>(m.Content[i]).Text;
        ToolUseBlock Tool(int i) => Assert.IsType<ToolUseBlock>(m.Content[i]);
        void Input(int i, string json) => RefAssert.AssertJsonEqual(json, Tool(i).Input!.Value.GetRawText());

        switch (fixture)
        {
            case "basic_text.sse" or "basic_text_crlf.sse" or "basic_text_cr.sse" or "basic_text_bom.sse":
                Assert.Single(m.Content);
                Assert.Equal("Hello!", Text(0));
                Assert.Equal(StopReasonKind.EndTurn, m.StopReason!.Value.Kind);
                Assert.Equal(25, m.Usage.InputTokens);
                Assert.Equal(15, m.Usage.OutputTokens);
                break;
            case "tool_use.sse":
                Assert.Equal("Okay, let's check the weather for San Francisco, CA:", Text(0));
                Assert.Equal("get_weather", Tool(1).Name);
                Input(1, "{\"location\":\"San Francisco, CA\",\"unit\":\"fahrenheit\"}");
                Assert.Equal(StopReasonKind.ToolUse, m.StopReason!.Value.Kind);
                Assert.Equal(89, m.Usage.OutputTokens);
                break;
            case "tool_use_recorded.sse":
                Assert.Equal("I'd be happy to check the weather in San Francisco for you. Let me get that information for you right away.", Text(0));
                Assert.Equal("get_weather", Tool(1).Name);
                Input(1, "{\"city\":\"San Francisco\"}");
                Assert.Equal(StopReasonKind.ToolUse, m.StopReason!.Value.Kind);
                Assert.Equal(79, m.Usage.OutputTokens);
                break;
            case "extended_thinking.sse":
            {
                ThinkingBlock thinking = Assert.IsType<ThinkingBlock>(m.Content[0]);
                Assert.Equal(6, thinking.Thinking.Split('\n').Count(l => l.Length > 0 && char.IsDigit(l[0])));
                Assert.StartsWith("Let me solve this step by step:", thinking.Thinking, StringComparison.Ordinal);
                Assert.Equal("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", thinking.Signature);
                Assert.Equal("27 * 453 = 12,231", Text(1));
                Assert.Equal(183, m.Usage.OutputTokens);
                Assert.Equal(151, m.Usage.ThinkingTokens);
                break;
            }

            case "web_search_server_tool_use.sse":
                Assert.Equal(5, m.Content.Count);
                Assert.IsType<TextBlock>(m.Content[0]);
                Assert.Equal(ContentBlockTypeKind.ServerToolUse, Tool(1).Type.Kind);
                Input(1, "{\"query\":\"weather NYC today\"}");
                RawContentBlock results = Assert.IsType<RawContentBlock>(m.Content[2]);
                Assert.Equal("web_search_tool_result", results.Type.Value);
                using (JsonDocument doc = JsonDocument.Parse(results.Json))
                {
                    Assert.Equal(2, doc.RootElement.GetProperty("content").GetArrayLength());
                }

                Assert.IsType<TextBlock>(m.Content[3]);
                Assert.Equal("web_search_result_location", Assert.Single(Assert.IsType<TextBlock>(m.Content[4]).Citations).Type);
                Assert.Contains("68°F", Text(4), StringComparison.Ordinal);
                Assert.Equal(StopReasonKind.EndTurn, m.StopReason!.Value.Kind);
                break;
            case "citations.sse":
                Assert.Equal(4, m.Content.Count);
                Assert.Equal([0, 1, 0, 1], m.Content.Select(b => Assert.IsType<TextBlock>(b).Citations.Count));
                break;
            case "max_tokens_tool_use_truncated.sse":
                Assert.IsType<TextBlock>(m.Content[0]);
                Assert.Equal("make_file", Tool(1).Name);
                Assert.False(Tool(1).InputIsValid);
                Assert.False(Tool(1).IsComplete);
                Assert.Equal(StopReasonKind.MaxTokens, m.StopReason!.Value.Kind);
                break;
            case "refusal_stop_details.sse":
                Assert.Equal(string.Empty, Text(0));
                Assert.Equal(StopReasonKind.Refusal, m.StopReason!.Value.Kind);
                Assert.Equal("cyber", m.StopDetails!.Category);
                Assert.Equal(0, m.Usage.OutputTokens);
                break;
            case "refusal_after_thinking_recorded.sse":
                Assert.IsType<ThinkingBlock>(m.Content[0]);
                Assert.Equal("Hi", Text(1));
                Assert.Equal(StopReasonKind.Refusal, m.StopReason!.Value.Kind);
                Assert.Equal(106, m.Usage.OutputTokens);
                break;
            case "interleaved_blocks.sse":
            {
                ThinkingBlock thinking = Assert.IsType<ThinkingBlock>(m.Content[0]);
                Assert.Equal("Let me think.", thinking.Thinking);
                Assert.Equal("sig123", thinking.Signature);
                Assert.Equal("Hello world!", Text(1));
                Input(2, "{\"city\":\"Los Angeles\"}");
                break;
            }

            case "beta_compaction.sse":
            {
                CompactionBlock compaction = Assert.IsType<CompactionBlock>(m.Content[0]);
                Assert.Equal("Earlier conversation summarized.", compaction.Content);
                Assert.NotNull(compaction.EncryptedContent);
                Assert.Equal("Hello there!", Text(1));
                break;
            }

            case "beta_fallback.sse":
                Assert.Equal("fallback", m.Content[0].Type.Value);
                Assert.Equal("Hello there!", Text(1));
                Assert.Equal("claude-sonnet-4-5", m.Model);
                break;
            case "beta_fallback_credit_usage.sse":
                Assert.Equal("Hello there!", Text(0));
                RefAssert.AssertJsonEqual("{\"status\":{\"type\":\"redeemed\"}}", m.Usage.FallbackCreditJson!);
                break;
            case "sse_edge_cases.sse":
                Assert.Equal("multi-line data", Text(0));
                Assert.Equal(StopReasonKind.EndTurn, m.StopReason!.Value.Kind);
                break;
            default:
                Assert.Fail($"no README expectation written for {fixture}");
                break;
        }
    }
}
