using System.Text.Json;
using SseCore.Anthropic;

namespace SseCore.Tests.Fuzz;

/// <summary>
/// Fuzz target 3: the Anthropic decoder and accumulator, and <see cref="MessageStream"/>, on
/// arbitrary bytes and on mutated fixtures. Only the documented exceptions may escape
/// (<see cref="AnthropicException"/> and its subclasses, <see cref="SseLimitExceededException"/>
/// from the tokenizer); anything else (IndexOutOfRange, NullReference, InvalidCast, a JSON
/// exception that is not wrapped, ...) is a finding. Whatever was accumulated must serialize to
/// valid JSON. Hangs and stack overflows are left to the fuzzer (afl-fuzz -t, out-of-process
/// runner).
/// </summary>
/// <remarks>
/// Input layout: byte 0 picks the buffer sizes (<see cref="FuzzChunks"/>), bytes 1.. are the
/// stream. It is decoded twice: (1) <see cref="SseTokenizer"/> over those buffers, every event
/// through <see cref="AnthropicEventDecoder.Decode"/> with every view field read and unescaped,
/// then <see cref="MessageAccumulator.Apply"/>, going on after a protocol error with the next
/// event; (2) <see cref="MessageStream.GetFinalMessageAsync"/> over a stream that returns reads
/// of those sizes.
/// </remarks>
public static class AnthropicCheck
{
    public const int HeaderLength = 1;

    private static readonly SseParserOptions Options = new() { MaxLineLength = 64 * 1024, MaxEventSize = 256 * 1024 };

    public static void Run(ReadOnlySpan<byte> input)
    {
        byte cut = input.Length > 0 ? input[0] : (byte)0;
        byte[] stream = input.Length > HeaderLength ? input.Slice(HeaderLength).ToArray() : [];
        FuzzChunks chunks = FuzzChunks.From(cut, stream.Length);
        Guard("decoder + accumulator over buffers", stream, () => DecodeAndAccumulate(stream, chunks));
        Guard("MessageStream.GetFinalMessageAsync", stream, () => ReadMessageStream(stream, chunks));
    }

    private static void Guard(string mode, byte[] stream, Action run)
    {
        try
        {
            run();
        }
        catch (FuzzCheckFailedException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new FuzzCheckFailedException($"{mode}: undocumented {e.GetType().FullName}: {e.Message}\nStream ({stream.Length} bytes): {FuzzChunks.Escape(stream)}", e);
        }
    }

    private static void DecodeAndAccumulate(byte[] stream, FuzzChunks chunks)
    {
        using var state = new SseParserState(Options);
        var decoder = new AnthropicEventDecoder();
        var accumulator = new MessageAccumulator();
        Span<byte> copy = stackalloc byte[512];
        AnthropicEvent reused = default;
        int offset = 0;
        try
        {
            for (int i = 0; i < chunks.Sizes.Length || i == 0; i++)
            {
                int size = chunks.Sizes.Length == 0 ? 0 : chunks.Sizes[i];
                var tokenizer = new SseTokenizer(stream.AsSpan(offset, size), isFinalBlock: i >= chunks.Sizes.Length - 1, state);
                offset += size;
                while (tokenizer.TryRead(out SseEvent sse))
                {
                    if (AnthropicEventDecoder.Classify(sse.EventType) == AnthropicEventKind.ContentBlockDelta)
                    {
                        CheckFastPath(sse);
                    }

                    // Decoding into one reused event must give what a fresh decode gives.
                    string inPlace;
                    try
                    {
                        decoder.Decode(sse, ref reused);
                        inPlace = Describe(in reused);
                    }
                    catch (AnthropicProtocolException ex)
                    {
                        inPlace = "throws " + ex.Message;
                    }

                    AnthropicEvent e;
                    try
                    {
                        e = decoder.Decode(sse);
                    }
                    catch (AnthropicProtocolException ex)
                    {
                        Expect(inPlace == "throws " + ex.Message, sse, "throws " + ex.Message, inPlace);
                        continue;
                    }

                    Expect(inPlace == Describe(in e), sse, Describe(in e), inPlace);

                    Touch(decoder, in e, copy);
                    try
                    {
                        accumulator.Apply(in e);
                    }
                    catch (AnthropicProtocolException)
                    {
                    }
                }
            }
        }
        catch (SseLimitExceededException)
        {
        }

        ExpectSerializable("the accumulated message", accumulator.GetMessage());
    }

    /// <summary>
    /// The decoder's fast path for deltas in the API's compact layout must decode exactly as the
    /// general path: the same data with one leading space (which the fast path declines, and
    /// JSON allows) must give the same view, or the same failure.
    /// </summary>
    private static void CheckFastPath(SseEvent sse)
    {
        string direct = DescribeDelta(sse);
        var sb = new System.Text.StringBuilder("event: content_block_delta\n");
        bool first = true;
        foreach (string line in System.Text.Encoding.Latin1.GetString(sse.Data).Split('\n'))
        {
            sb.Append(first ? "data:  " : "data: ").Append(line).Append('\n');
            first = false;
        }

        sb.Append('\n');
        byte[] spaced = System.Text.Encoding.Latin1.GetBytes(sb.ToString());
        using var state = new SseParserState(Options);
        var tokenizer = new SseTokenizer(spaced.AsSpan(), isFinalBlock: true, state);
        if (!tokenizer.TryRead(out SseEvent again))
        {
            throw new FuzzCheckFailedException("the re-encoded delta event did not parse");
        }

        string general = DescribeDelta(again);
        if (direct != general)
        {
            throw new FuzzCheckFailedException($"the delta fast path and the general path disagree on <{FuzzChunks.Escape(sse.Data)}>\nAs sent:            {direct}\nWith a space first: {general}");
        }
    }

    private static string DescribeDelta(SseEvent sse)
    {
        AnthropicEvent e;
        try
        {
            e = new AnthropicEventDecoder().Decode(sse);
        }
        catch (AnthropicProtocolException)
        {
            return "throws AnthropicProtocolException";
        }

        ref readonly DeltaView d = ref e.Delta;
        return $"index {e.Index}/{d.Index} kind {d.Kind} type {Show(d.TypeName)} text {Show(d.Text)} partial_json {Show(d.PartialJson)} thinking {Show(d.Thinking)} signature {Show(d.Signature)} payload {Show(d.Payload)} citation <{FuzzChunks.Escape(d.CitationJson)}> raw <{FuzzChunks.Escape(d.RawJson)}>";

        static string Show(JsonText t) => t.HasValue ? $"<{FuzzChunks.Escape(t.RawUtf8)}>{(t.IsEscaped ? "(escaped)" : "")}" : "none";
    }

    private static void Expect(bool same, SseEvent sse, string fresh, string inPlace)
    {
        if (!same)
        {
            throw new FuzzCheckFailedException($"Decode(sse, ref reused) differs from Decode(sse) on event {sse.EventNumber} <{FuzzChunks.Escape(sse.EventType)}> <{FuzzChunks.Escape(sse.Data)}>\nFresh:    {fresh}\nIn place: {inPlace}");
        }
    }

    /// <summary>Every field of every view (a decode must overwrite all of them, not only its kind's).</summary>
    private static string Describe(in AnthropicEvent e)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($"{e.Kind} #{e.EventNumber} @{e.StreamOffset} index {e.Index} name {B(e.EventName)} data {B(e.Data)}");
        ref readonly MessageStartView m = ref e.MessageStart;
        sb.Append($"\n start: {T(m.Id)} {T(m.Model)} {T(m.Role)} {B(m.RawJson)} usage {U(in m.Usage)}");
        ref readonly ContentBlockStartView b = ref e.ContentBlockStart;
        sb.Append($"\n block: {b.Index} {b.Type.Kind}/{b.Type.Value} {T(b.Id)} {T(b.Name)} {T(b.Text)} {T(b.Thinking)} {T(b.Signature)} {T(b.Data)} {B(b.InputJson)} {B(b.RawJson)}");
        ref readonly DeltaView d = ref e.Delta;
        sb.Append($"\n delta: {d.Index} {d.Kind} {T(d.TypeName)} {T(d.Text)} {T(d.PartialJson)} {T(d.Thinking)} {T(d.Signature)} {B(d.CitationJson)} {T(d.CompactionContent)} {T(d.EncryptedContent)} {B(d.RawJson)}");
        ref readonly MessageDeltaView md = ref e.MessageDelta;
        sb.Append($"\n message_delta: {md.StopReason?.Kind}/{md.StopReason?.Value} {T(md.StopSequence)} {B(md.StopDetailsJson)} {T(md.StopDetailsType)} {T(md.StopDetailsCategory)} {T(md.StopDetailsExplanation)} {B(md.ContainerJson)} usage {U(in md.Usage)}");
        ref readonly ErrorView err = ref e.Error;
        sb.Append($"\n error: {err.Type.Kind}/{err.Type.Value} {T(err.Message)} {T(err.RequestId)} {B(err.DetailsJson)}");
        return sb.ToString();

        static string B(ReadOnlySpan<byte> bytes) => $"<{FuzzChunks.Escape(bytes)}>";

        static string T(JsonText t) => t.HasValue ? $"<{FuzzChunks.Escape(t.RawUtf8)}>{(t.IsEscaped ? "e" : "")}" : "-";

        static string U(in UsageView u) =>
            $"{u.IsPresent} {u.InputTokens} {u.OutputTokens} {u.CacheCreationInputTokens} {u.CacheReadInputTokens} {u.CacheCreationEphemeral5mInputTokens} {u.CacheCreationEphemeral1hInputTokens} {u.WebSearchRequests} {u.WebFetchRequests} {u.ThinkingTokens} {T(u.ServiceTier)} {T(u.InferenceGeo)} {T(u.Speed)} {B(u.IterationsJson)} {B(u.FallbackCreditJson)} {B(u.RawJson)}";
    }

    private static void ReadMessageStream(byte[] stream, FuzzChunks chunks)
    {
        Message? message;
        using var messages = MessageStream.Create(chunks.ToStream(stream), Options);
        try
        {
            ValueTask<Message> final = new(messages.GetFinalMessageAsync());
            if (!final.IsCompleted)
            {
                throw new FuzzCheckFailedException("MessageStream over a synchronous stream did not complete synchronously");
            }

            message = final.GetAwaiter().GetResult();
        }
        catch (AnthropicException e)
        {
            message = e.PartialMessage;
            if (e is AnthropicStreamInterruptedException { InnerException: not SseLimitExceededException and not IOException })
            {
                throw new FuzzCheckFailedException($"MessageStream wrapped an unexpected {e.InnerException?.GetType().FullName}: {e.InnerException?.Message}", e);
            }
        }

        if (message is not null)
        {
            ExpectSerializable("MessageStream's message", message);
        }

        ExpectSerializable("MessageStream.GetCurrentMessage()", messages.GetCurrentMessage());
    }

    /// <summary>Reads every field of the view, as a consumer would, unescaping every string.</summary>
    private static void Touch(AnthropicEventDecoder decoder, in AnthropicEvent e, Span<byte> copy)
    {
        switch (e.Kind)
        {
            case AnthropicEventKind.MessageStart:
                ref readonly MessageStartView m = ref e.MessageStart;
                Text(decoder, m.Id, copy);
                Text(decoder, m.Model, copy);
                Text(decoder, m.Role, copy);
                Usage(decoder, in m.Usage, copy);
                break;
            case AnthropicEventKind.ContentBlockStart:
                ref readonly ContentBlockStartView b = ref e.ContentBlockStart;
                _ = b.Type.Value;
                Text(decoder, b.Id, copy);
                Text(decoder, b.Name, copy);
                Text(decoder, b.Text, copy);
                Text(decoder, b.Thinking, copy);
                Text(decoder, b.Signature, copy);
                Text(decoder, b.Data, copy);
                break;
            case AnthropicEventKind.ContentBlockDelta:
                ref readonly DeltaView d = ref e.Delta;
                Text(decoder, d.TypeName, copy);
                Text(decoder, d.Text, copy);
                Text(decoder, d.PartialJson, copy);
                Text(decoder, d.Thinking, copy);
                Text(decoder, d.Signature, copy);
                Text(decoder, d.CompactionContent, copy);
                Text(decoder, d.EncryptedContent, copy);
                Text(decoder, d.Payload, copy);
                break;
            case AnthropicEventKind.MessageDelta:
                ref readonly MessageDeltaView md = ref e.MessageDelta;
                _ = md.StopReason?.Value;
                Text(decoder, md.StopSequence, copy);
                Text(decoder, md.StopDetailsType, copy);
                Text(decoder, md.StopDetailsCategory, copy);
                Text(decoder, md.StopDetailsExplanation, copy);
                Usage(decoder, in md.Usage, copy);
                break;
            case AnthropicEventKind.Error:
                ref readonly ErrorView err = ref e.Error;
                _ = err.Type.Value;
                Text(decoder, err.Message, copy);
                Text(decoder, err.RequestId, copy);
                break;
        }
    }

    private static void Usage(AnthropicEventDecoder decoder, in UsageView u, Span<byte> copy)
    {
        Text(decoder, u.ServiceTier, copy);
        Text(decoder, u.InferenceGeo, copy);
        Text(decoder, u.Speed, copy);
    }

    private static void Text(AnthropicEventDecoder decoder, JsonText text, Span<byte> copy)
    {
        if (!text.HasValue)
        {
            return;
        }

        // Three ways to the same bytes must agree, and none may write past MaxUnescapedLength.
        ReadOnlySpan<byte> unescaped = decoder.Unescape(text);
        if (unescaped.Length > text.MaxUnescapedLength)
        {
            throw new FuzzCheckFailedException($"Unescape gave {unescaped.Length} bytes, more than MaxUnescapedLength {text.MaxUnescapedLength}");
        }

        if (text.MaxUnescapedLength <= copy.Length)
        {
            int n = text.CopyUnescaped(copy);
            if (!copy.Slice(0, n).SequenceEqual(unescaped))
            {
                throw new FuzzCheckFailedException($"CopyUnescaped and Unescape disagree on <{FuzzChunks.Escape(text.RawUtf8)}>");
            }
        }

        if (!text.ValueEquals(unescaped))
        {
            throw new FuzzCheckFailedException($"ValueEquals(Unescape(x)) is false for <{FuzzChunks.Escape(text.RawUtf8)}>");
        }

        _ = text.GetString();
    }

    private static void ExpectSerializable(string what, Message message)
    {
        string json = message.ToJson();
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1024 });
        }
        catch (JsonException e)
        {
            throw new FuzzCheckFailedException($"{what} serialized to invalid JSON ({e.Message}): {json}", e);
        }

        if (json.Contains('\n', StringComparison.Ordinal))
        {
            throw new FuzzCheckFailedException($"{what} serialized to more than one line: {json}");
        }

        _ = message.ToJson(indented: true);
    }
}
