using System.IO.Pipelines;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// FsCheck properties: for generated valid message streams (text, thinking and tool_use blocks,
/// their deltas interleaved by index, JSON escapes, non-ASCII, random usage and stop reasons, LF,
/// CRLF or CR line ends), what <see cref="MessageStream"/> accumulates — over a MemoryStream, a
/// stream cut at random points, and an in-memory Pipe cut at random points — is what a reference
/// fold of the generated events gives. Inputs are int arrays mapped to structure, so a failure
/// shrinks to a few events and few cuts.
/// </summary>
public class AccumulatorPropertyTests
{
    /// <summary>A piece of text and the ways the wire may spell it inside a JSON string.</summary>
    private sealed record Fragment(string Value, string[] Wire);

    private static Fragment F(string value, params string[] wire) => new(value, wire);

    private static readonly Fragment[] Fragments =
    [
        F("a", "a", "\\u0061"),
        F("Hello", "Hello"),
        F(" world", " world"),
        F(string.Empty, string.Empty),
        F("é", "é", "\\u00e9", "\\u00E9"),
        F("中文", "中文", "\\u4e2d\\u6587", "中\\u6587"),
        F("🎉", "🎉", "\\ud83c\\udf89", "\\uD83C\\uDF89"),
        F("𝄞x", "𝄞x", "\\ud834\\udd1ex"),
        F("\u07ff\u0800", "\u07ff\u0800", "\\u07ff\\u0800"),
        F("\"", "\\\"", "\\u0022"),
        F("\\", "\\\\", "\\u005c"),
        F("/", "/", "\\/"),
        F("\n", "\\n", "\\u000a", "\\u000A"),
        F("\r\n", "\\r\\n"),
        F("\t", "\\t"),
        F("\b\f", "\\b\\f"),
        F("\u0001\u001f", "\\u0001\\u001f"),
        F("\0", "\\u0000"),
        F("<a href='x'>&</a>", "<a href='x'>&</a>", "\\u003ca href=\\u0027x\\u0027\\u003e\\u0026\\u003c/a\\u003e"),
        F("\u2028\u2029", "\u2028\u2029", "\\u2028\\u2029"),
        F("68°F", "68°F", "68\\u00b0F"),
        F("\uFEFF", "\uFEFF", "\\ufeff"),
        F("data: x\n\nevent: y", "data: x\\n\\nevent: y"),
        F(": not a comment", ": not a comment"),
        F("{\"k\": [1, 2]}", "{\\\"k\\\": [1, 2]}"),
        F("      ", "      "),
    ];

    private static readonly string[] BlockTypes = ["text", "thinking", "tool_use"];

    private static readonly string[] StopReasons = ["end_turn", "max_tokens", "tool_use", "stop_sequence", "pause_turn", "refusal", "model_context_window_exceeded", "a_future_reason"];

    /// <summary>Tool names as the wire spells them, and their values.</summary>
    private static readonly (string Wire, string Value)[] ToolNames = [("get_weather", "get_weather"), ("lookup_café", "lookup_café"), ("lookup_caf\\u00e9", "lookup_café")];

    private static readonly string[] LineEnds = ["\n", "\n", "\r\n", "\r"];

    private abstract record Ev;

    private sealed record MessageStartEv(string Id, string Model, int Input, int Output) : Ev;

    private sealed record BlockStartEv(int Index, string Type, string? NameWire, string? Name, bool EmptySignature) : Ev;

    private sealed record DeltaEv(int Index, string Type, string Value, string Wire) : Ev;

    private sealed record BlockStopEv(int Index) : Ev;

    private sealed record PingEv : Ev;

    private sealed record MessageDeltaEv(string StopReason, int? Input, int Output) : Ev;

    private sealed record MessageStopEv : Ev;

    /// <summary>A well-mixed hash of a generated int and its position (FsCheck's ints are small).</summary>
    private static uint Mix(int t, int salt = 0)
    {
        unchecked
        {
            ulong z = (uint)t + ((ulong)(uint)salt * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (uint)(z ^ (z >> 31));
        }
    }

    /// <summary>Builds the events of a valid stream: one content step per script element.</summary>
    private static List<Ev> Generate(int[] script)
    {
        uint seed = Mix(script.Length, script.Length > 0 ? script[0] : -1);
        var body = new List<Ev>();
        var types = new List<string>();
        for (int step = 0; step < script.Length; step++)
        {
            uint h = Mix(script[step], step + 1);
            if ((h >> 28) % 6 == 0)
            {
                body.Add(new PingEv());
            }

            int index;
            if (types.Count == 0 || (h % 8 < 2 && types.Count < 6))
            {
                index = types.Count;
                string type = BlockTypes[(h >> 3) % 3];
                types.Add(type);
                (string wire, string value) = ToolNames[(h >> 24) % 3];
                body.Add(new BlockStartEv(index, type, type == "tool_use" ? wire : null, type == "tool_use" ? value : null, ((h >> 26) & 1) == 0));
                if (type == "tool_use")
                {
                    if (((h >> 27) & 1) == 0)
                    {
                        body.Add(new DeltaEv(index, "input_json_delta", string.Empty, string.Empty));
                    }

                    body.Add(new DeltaEv(index, "input_json_delta", "{\"q\": \"", "{\\\"q\\\": \\\""));
                }
            }
            else
            {
                index = (int)((h >> 5) % (uint)types.Count);
            }

            Fragment f = Fragments[(h >> 8) % (uint)Fragments.Length];
            string w = f.Wire[(h >> 16) % (uint)f.Wire.Length];
            switch (types[index])
            {
                case "text":
                    body.Add(new DeltaEv(index, "text_delta", f.Value, w));
                    break;
                case "thinking":
                    body.Add(new DeltaEv(index, "thinking_delta", f.Value, w));
                    break;
                default:
                    // A piece of the input's JSON text: the fragment as JSON string content.
                    string piece = JsonEscape(f.Value, asciiOnly: false);
                    body.Add(new DeltaEv(index, "input_json_delta", piece, JsonEscape(piece, asciiOnly: ((h >> 20) & 1) == 1)));
                    break;
            }
        }

        // Each block's last deltas (signature, closing JSON) and its stop: right after its last
        // event, or at the end of the message.
        var last = new int[types.Count];
        for (int i = 0; i < body.Count; i++)
        {
            switch (body[i])
            {
                case BlockStartEv s:
                    last[s.Index] = i;
                    break;
                case DeltaEv d:
                    last[d.Index] = i;
                    break;
            }
        }

        bool StopsEarly(int index) => ((seed >> (index % 16)) & 1) == 1;
        IEnumerable<Ev> Finish(int index)
        {
            if (types[index] == "thinking" && ((seed >> 20) & 1) == 0)
            {
                yield return new DeltaEv(index, "signature_delta", "EqQBsig" + index, "EqQBsig" + index);
            }

            if (types[index] == "tool_use")
            {
                string close = "\", \"n\": " + index + "}";
                yield return new DeltaEv(index, "input_json_delta", close, JsonEscape(close, asciiOnly: false));
            }

            yield return new BlockStopEv(index);
        }

        var events = new List<Ev> { new MessageStartEv("msg_" + seed.ToString("x8"), "claude-prop-" + (seed % 10), (int)(seed % 5000), 1 + (int)(seed % 3)) };
        for (int i = 0; i < body.Count; i++)
        {
            events.Add(body[i]);
            int? index = body[i] switch { BlockStartEv s => s.Index, DeltaEv d => d.Index, _ => null };
            if (index is int b && last[b] == i && StopsEarly(b))
            {
                events.AddRange(Finish(b));
            }
        }

        IEnumerable<int> late = Enumerable.Range(0, types.Count).Where(b => !StopsEarly(b));
        foreach (int b in ((seed >> 24) & 1) == 0 ? late : late.Reverse())
        {
            events.AddRange(Finish(b));
        }

        uint u = Mix((int)seed, 77);
        events.Add(new MessageDeltaEv(StopReasons[u % (uint)StopReasons.Length], ((u >> 4) & 1) == 0 ? null : (int)(u % 9000), (int)((u >> 8) % 100000)));
        events.Add(new MessageStopEv());
        return events;
    }

    /// <summary>JSON string content for <paramref name="s"/>: the escapes JSON requires, and optionally every non-ASCII character as <c>\uXXXX</c>.</summary>
    private static string JsonEscape(string s, bool asciiOnly)
    {
        var sb = new StringBuilder();
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || (asciiOnly && c > 0x7E))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4"));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>The wire form: one SSE event per model event, in a style (line ends, spacing, key order) taken from <paramref name="style"/>.</summary>
    private static byte[] Serialize(List<Ev> events, int style)
    {
        uint s = Mix(style, 51);
        string eol = LineEnds[s % (uint)LineEnds.Length];
        var sb = new StringBuilder();
        for (int i = 0; i < events.Count; i++)
        {
            uint h = Mix(i, (int)(s >> 3));
            string c = (h & 1) == 0 ? ":" : ": ";
            string pad = ((h >> 1) & 3) == 0 ? new string(' ', 1 + (int)((h >> 3) % 12)) : string.Empty;
            bool indexFirst = ((h >> 7) & 1) == 1;
            (string name, string json) = events[i] switch
            {
                MessageStartEv m => ("message_start", $"{{\"type\"{c}\"message_start\",\"message\"{c}{{\"id\"{c}\"{m.Id}\",\"type\"{c}\"message\",\"role\"{c}\"assistant\",\"content\"{c}[],\"model\"{c}\"{m.Model}\",\"stop_reason\"{c}null,\"stop_sequence\"{c}null,\"usage\"{c}{{\"input_tokens\"{c}{m.Input},\"output_tokens\"{c}{m.Output}}}}}{pad}}}"),
                BlockStartEv b => ("content_block_start", $"{{\"type\"{c}\"content_block_start\",\"index\"{c}{b.Index},\"content_block\"{c}{BlockJson(b, c)}{pad}}}"),
                DeltaEv d => ("content_block_delta", indexFirst
                    ? $"{{\"index\"{c}{d.Index},\"delta\"{c}{{\"type\"{c}\"{d.Type}\",\"{DeltaField(d.Type)}\"{c}\"{d.Wire}\"}},\"type\"{c}\"content_block_delta\"{pad}}}"
                    : $"{{\"type\"{c}\"content_block_delta\",\"index\"{c}{d.Index},\"delta\"{c}{{\"{DeltaField(d.Type)}\"{c}\"{d.Wire}\",\"type\"{c}\"{d.Type}\"}}{pad}}}"),
                BlockStopEv b => ("content_block_stop", $"{{\"type\"{c}\"content_block_stop\",\"index\"{c}{b.Index}{pad}}}"),
                PingEv => ("ping", "{\"type\": \"ping\"}"),
                MessageDeltaEv m => ("message_delta", $"{{\"type\"{c}\"message_delta\",\"delta\"{c}{{\"stop_reason\"{c}\"{m.StopReason}\",\"stop_sequence\"{c}null}},\"usage\"{c}{{{(m.Input is int input ? $"\"input_tokens\"{c}{input}," : string.Empty)}\"output_tokens\"{c}{m.Output}}}{pad}}}"),
                MessageStopEv => ("message_stop", $"{{\"type\"{c}\"message_stop\"{pad}}}"),
                _ => throw new InvalidOperationException(),
            };
            sb.Append(((h >> 8) & 3) == 0 ? "event:" : "event: ").Append(name).Append(eol)
                .Append("data: ").Append(json).Append(eol).Append(eol);
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string BlockJson(BlockStartEv b, string c) => b.Type switch
    {
        "text" => $"{{\"type\"{c}\"text\",\"text\"{c}\"\"}}",
        "thinking" => b.EmptySignature ? $"{{\"type\"{c}\"thinking\",\"thinking\"{c}\"\",\"signature\"{c}\"\"}}" : $"{{\"type\"{c}\"thinking\",\"thinking\"{c}\"\"}}",
        _ => $"{{\"type\"{c}\"tool_use\",\"id\"{c}\"toolu_{b.Index}\",\"name\"{c}\"{b.NameWire}\",\"input\"{c}{{}}}}",
    };

    private static string DeltaField(string type) => type switch
    {
        "text_delta" => "text",
        "thinking_delta" => "thinking",
        "input_json_delta" => "partial_json",
        _ => "signature",
    };

    /// <summary>The reference fold over the generated events (not their bytes).</summary>
    private static RefMessage Fold(IEnumerable<Ev> events)
    {
        var m = new RefMessage();
        foreach (Ev e in events)
        {
            m.EventCount++;
            switch (e)
            {
                case MessageStartEv s when !m.Started:
                    m.Started = true;
                    m.Id = s.Id;
                    m.Model = s.Model;
                    m.InputTokens = s.Input;
                    m.OutputTokens = s.Output;
                    break;
                case BlockStartEv b:
                    m.Blocks[b.Index] = new RefBlock(b.Index, b.Type)
                    {
                        Id = b.Type == "tool_use" ? "toolu_" + b.Index : null,
                        Name = b.Name,
                        Signature = b.EmptySignature ? string.Empty : null,
                    };
                    break;
                case DeltaEv d when d.Type == "signature_delta":
                    m.Blocks[d.Index].Signature = d.Value;
                    break;
                case DeltaEv d:
                    m.Blocks[d.Index].Content.Append(d.Value);
                    if (d.Type == "text_delta")
                    {
                        m.DeltaText.Append(d.Value);
                    }

                    break;
                case BlockStopEv b:
                    m.Blocks[b.Index].Stopped = true;
                    break;
                case MessageDeltaEv d:
                    m.StopReason = d.StopReason;
                    m.InputTokens = d.Input ?? m.InputTokens;
                    m.OutputTokens = d.Output;
                    break;
                case MessageStopEv:
                    m.Complete = true;
                    break;
            }
        }

        return m;
    }

    private static List<byte[]> CutAt(byte[] bytes, int[] cuts)
    {
        int[] at = cuts.Select(c => (int)((uint)c % (uint)(bytes.Length + 1))).Append(0).Append(bytes.Length).Distinct().Order().ToArray();
        var pieces = new List<byte[]>();
        for (int i = 1; i < at.Length; i++)
        {
            pieces.Add(bytes[at[i - 1]..at[i]]);
        }

        return pieces;
    }

    [Property(MaxTest = 300)]
    public async Task GeneratedStream_AccumulatesToTheReferenceFold_HoweverItIsCut(int[] script, int[] cuts, int style)
    {
        List<Ev> events = Generate(script);
        byte[] bytes = Serialize(events, style);
        RefMessage expected = Fold(events);

        // Whole, over a MemoryStream.
        await using (MessageStream whole = MessageStream.Create(new MemoryStream(bytes)))
        {
            RefAssert.Matches(expected, await whole.GetFinalMessageAsync());
            Assert.Equal(MessageStreamOutcome.Completed, whole.Outcome);
        }

        // Over a stream that hands out the bytes in the given pieces, read as UTF-8 text deltas.
        List<byte[]> pieces = CutAt(bytes, cuts);
        await using (MessageStream cut = MessageStream.Create(PieceStream.Of(pieces)))
        {
            var text = new List<byte>();
            while (await cut.MoveNextTextAsync())
            {
                text.AddRange(cut.CurrentText.ToArray());
            }

            Assert.Equal(MessageStreamOutcome.Completed, cut.Outcome);
            Assert.Equal(expected.DeltaText.ToString(), Encoding.UTF8.GetString(text.ToArray()));
            RefAssert.Matches(expected, cut.GetCurrentMessage());
        }

        // Over a Pipe, written piece by piece while the reader waits (inline: each flush is one read).
        var pipe = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
        await using (MessageStream piped = MessageStream.Create(pipe.Reader))
        {
            var text = new StringBuilder();
            Task<Message> final = ReadTextThenFinalAsync(piped, text);
            foreach (byte[] piece in pieces)
            {
                await pipe.Writer.WriteAsync(piece);
            }

            await pipe.Writer.CompleteAsync();
            RefAssert.Matches(expected, await final);
            Assert.Equal(expected.DeltaText.ToString(), text.ToString());
        }
    }

    [Property(MaxTest = 300)]
    public async Task AnyPrefix_EndsTruncated_WithExactlyTheEventsItContains(int[] script, int cut, int style)
    {
        List<Ev> events = Generate(script);
        byte[] bytes = Serialize(events, style);
        byte[] prefix = bytes[..(int)((uint)cut % (uint)(bytes.Length + 1))];

        // Which events the prefix holds whole: the SSE reference parser says.
        int contained = WhatwgReference.Parse(prefix).Events.Count;
        RefMessage expected = Fold(events.Take(contained));
        await using MessageStream stream = MessageStream.Create(new MemoryStream(prefix));
        if (expected.Complete)
        {
            RefAssert.Matches(expected, await stream.GetFinalMessageAsync());
            Assert.Equal(MessageStreamOutcome.Completed, stream.Outcome);
            return;
        }

        var ex = await Assert.ThrowsAsync<AnthropicStreamTruncatedException>(() => stream.GetFinalMessageAsync());
        Assert.Equal(MessageStreamOutcome.Truncated, stream.Outcome);
        if (expected.Started)
        {
            RefAssert.Matches(expected, ex.PartialMessage);
        }
        else
        {
            Assert.Null(ex.PartialMessage);
        }
    }

    [Fact]
    public void Generator_ProducesInterestingStreams()
    {
        // Guards the properties against a generator that stopped producing what they are about.
        Gen<int[]> gen = ArbMap.Default.GeneratorFor<int[]>();
        var samples = gen.Sample(100, 200).Select(Generate).ToList();
        int allTypes = samples.Count(s => s.OfType<BlockStartEv>().Select(b => b.Type).Distinct().Count() == 3);
        int interleaved = samples.Count(s => s.OfType<DeltaEv>().Zip(s.OfType<DeltaEv>().Skip(1)).Any(p => p.Second.Index < p.First.Index));
        int escaped = samples.Count(s => s.OfType<DeltaEv>().Any(d => d.Wire.Contains("\\u", StringComparison.Ordinal)));
        int nonAscii = samples.Count(s => s.OfType<DeltaEv>().Any(d => d.Wire.Any(ch => ch > 0x7F)));
        Assert.True(allTypes > 20, $"{allTypes} of 200 have all three block types");
        Assert.True(interleaved > 40, $"{interleaved} of 200 interleave blocks");
        Assert.True(escaped > 40 && nonAscii > 40, $"{escaped} escaped, {nonAscii} non-ASCII");

        // And the bytes are what the reference fold of the same stream reads back.
        foreach (List<Ev> events in samples.Take(50))
        {
            byte[] bytes = Serialize(events, events.Count);
            Assert.Equal(events.Count, WhatwgReference.Parse(bytes).Events.Count);
            RefMessage fromBytes = RefMessage.FoldBytes(bytes);
            RefMessage fromModel = Fold(events);
            Assert.Equal(fromModel.DeltaText.ToString(), fromBytes.DeltaText.ToString());
            Assert.Equal(fromModel.Blocks.Values.Select(b => b.Content.ToString()), fromBytes.Blocks.Values.Select(b => b.Content.ToString()));
        }
    }

    private static async Task<Message> ReadTextThenFinalAsync(MessageStream stream, StringBuilder text)
    {
        await foreach (string delta in stream.GetTextStreamAsync())
        {
            text.Append(delta);
        }

        return await stream.GetFinalMessageAsync();
    }

}
