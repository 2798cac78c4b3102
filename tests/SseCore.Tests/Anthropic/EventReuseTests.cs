using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Anthropic;

/// <summary>
/// GetFinalMessageAsync decodes the events it takes synchronously into one reused
/// <see cref="AnthropicEvent"/>, and the decoder clears only the view of the previous event's
/// kind. Nothing of an earlier event may reach a later one: not after a decode that threw halfway,
/// not between the canonical delta path and the general one, not across kinds.
/// </summary>
public class EventReuseTests
{
    private static readonly string[] FixtureNames = Fixtures.Names.ToArray();

    [Fact]
    public void ReusedEvent_AfterADecodeThatThrewHalfway_HoldsOnlyTheNextEvent()
    {
        string[] events =
        [
            // message_start that fills message.id, then throws on a number where a string belongs.
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bad\",\"role\":\"r\",\"usage\":{\"input_tokens\":9,\"service_tier\":\"priority\"},\"model\":5}}\n\n",
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\"}}\n\n",
            // content_block_start that fills id, name, input and type, then throws: no index.
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_x\",\"name\":\"f\",\"input\":{}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\"}}\n\n",
            // Canonical text delta, then a general-path delta of another kind, then a canonical one again.
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 1, \"delta\": {\"type\": \"thinking_delta\", \"thinking\": \"t\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"s\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}\n\n",
            // A delta that fills text, then throws (text of the wrong type comes later), then a citations delta.
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"partial_json\":\"p\",\"text\":5}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"c\"}}}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":\"S\",\"container\":{\"id\":\"c\"}},\"usage\":{\"output_tokens\":2}}\n\n",
            // message_delta that fills stop_reason, then throws.
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\",\"stop_sequence\":7}}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"input_tokens\":1}}\n\n",
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"o\",\"details\":{\"a\":1}},\"request_id\":\"r\"}\n\n",
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"message\":\"no type\"}}\n\n",
            "event: ping\ndata: {\"type\":\"ping\"}\n\n",
            "event: vertex_event\ndata: not json\n\n",
            "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"ghost\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ];

        // Every ordered pair: the first event decoded into the reused event, then the second.
        for (int a = 0; a < events.Length; a++)
        {
            for (int b = 0; b < events.Length; b++)
            {
                byte[] stream = Encoding.UTF8.GetBytes(events[a] + events[b]);
                using var state = new SseParserState();
                var tokenizer = new SseTokenizer(stream.AsSpan(), true, state);
                var decoder = new AnthropicEventDecoder();
                AnthropicEvent reused = default;
                while (tokenizer.TryRead(out SseEvent sse))
                {
                    string fresh, again;
                    try
                    {
                        fresh = EventText.Describe(decoder.Decode(sse));
                    }
                    catch (AnthropicProtocolException ex)
                    {
                        fresh = "throws " + ex.Message;
                    }

                    try
                    {
                        decoder.Decode(sse, ref reused);
                        again = EventText.Describe(reused);
                    }
                    catch (AnthropicProtocolException ex)
                    {
                        again = "throws " + ex.Message;
                    }

                    Assert.True(fresh == again, $"after event {a}, event {b}:\nfresh:  {fresh}\nreused: {again}");
                }
            }
        }
    }

    [Property(MaxTest = 300)]
    public void GetFinalMessage_OverMutatedFixtures_IsAFreshDecodePerEventFolded(PositiveInt fixture, int[] ops)
    {
        byte[] input = MalformedInputPropertyTests.Mutate(Fixtures.Read(FixtureNames[fixture.Get % FixtureNames.Length]), ops);
        Assert.Equal(Fold(input), Stream(input));
    }

    [Theory]
    [MemberData(nameof(Fixtures.All), MemberType = typeof(Fixtures))]
    public void GetFinalMessage_OverEachFixture_IsAFreshDecodePerEventFolded(string name)
    {
        byte[] input = Fixtures.Read(name);
        Assert.Equal(Fold(input), Stream(input));
    }

    [Property(MaxTest = 300)]
    public void GetFinalMessage_AfterSomeMoveNext_OverAnyPieces_IsAFreshDecodePerEventFolded(PositiveInt fixture, int[] ops, int[] cuts, byte before)
    {
        // GetFinalMessageAsync takes the events of each buffer the reader holds through one
        // tokenizer; a stream already read event by event, cut anywhere, must end the same.
        byte[] input = MalformedInputPropertyTests.Mutate(Fixtures.Read(FixtureNames[fixture.Get % FixtureNames.Length]), ops);
        IReadOnlyList<byte[]> pieces = SseHarness.CutAt(input, cuts.Select(c => (int)((uint)c % (uint)(input.Length + 1))));
        Assert.Equal(Fold(input), Stream(PieceStream.Of(pieces), before % 8));
    }

    /// <summary>The reference: a fresh event per decode, folded until message_stop, an error event or a protocol error.</summary>
    private static string Fold(byte[] input)
    {
        using var state = new SseParserState();
        var tokenizer = new SseTokenizer(input.AsSpan(), true, state);
        var decoder = new AnthropicEventDecoder();
        using var accumulator = new MessageAccumulator();
        string end = "truncated";
        while (!accumulator.IsComplete && tokenizer.TryRead(out SseEvent sse))
        {
            try
            {
                AnthropicEvent e = decoder.Decode(sse);
                accumulator.Apply(in e);
                if (e.Kind == AnthropicEventKind.Error)
                {
                    end = "error";
                    break;
                }
            }
            catch (AnthropicProtocolException)
            {
                end = "protocol";
                break;
            }
        }

        if (accumulator.IsComplete)
        {
            end = "complete";
        }

        return end + " " + (accumulator.HasStarted || accumulator.IsComplete ? Show(accumulator.GetMessage()) : "-");
    }

    /// <summary>MessageStream.GetFinalMessageAsync over the whole input in one read: every event taken synchronously.</summary>
    private static string Stream(byte[] input) => Stream(new MemoryStream(input), 0);

    /// <summary>MessageStream.GetFinalMessageAsync after <paramref name="before"/> events read with MoveNextAsync.</summary>
    private static string Stream(Stream input, int before)
    {
        using MessageStream stream = MessageStream.Create(input);
        try
        {
            for (int i = 0; i < before && stream.MoveNextAsync().AsTask().GetAwaiter().GetResult(); i++)
            {
            }

            return "complete " + Show(stream.GetFinalMessageAsync().GetAwaiter().GetResult());
        }
        catch (AnthropicException ex)
        {
            string end = ex switch
            {
                AnthropicApiException => "error",
                AnthropicProtocolException => "protocol",
                AnthropicStreamTruncatedException => "truncated",
                _ => ex.GetType().Name,
            };
            return end + " " + (ex.PartialMessage is { } m ? Show(m) : "-");
        }
    }

    private static string Show(Message m) => m.ToJson() + string.Concat(m.Content.Select(b => b is ToolUseBlock t
        ? $" [{t.Index}:{t.InputStatus}:{Raw(t.Input)}:{Raw(t.InputSnapshot)}:{t.IsComplete}]"
        : $" [{b.Index}:{b.IsComplete}]"));

    // The element's bytes, not GetRawText: a tool input may hold invalid UTF-8 inside a string
    // (the reader does not validate it), which GetRawText refuses to transcode.
    private static string Raw(JsonElement? e) => e is { } v ? Convert.ToHexString(JsonMarshal.GetRawUtf8Value(v)) : "null";
}
