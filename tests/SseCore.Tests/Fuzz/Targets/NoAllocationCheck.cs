using System.Buffers;
using System.Text.Json;
using SseCore.Anthropic;

namespace SseCore.Tests.Fuzz;

/// <summary>
/// Fuzz target 4, the zero-allocation assertion: parsing a valid stream a second time with the
/// same state and decoder must allocate nothing (<see cref="GC.GetAllocatedBytesForCurrentThread"/>).
/// It is the <c>noalloc</c> target, and runs after the <c>tokenizer</c> and <c>anthropic</c>
/// targets' own checks when the environment variable <c>SSECORE_FUZZ_ASSERT_NOALLOC=1</c> is set.
/// </summary>
/// <remarks>
/// <para>
/// Input layout: byte 0 picks the segment sizes (<see cref="FuzzChunks"/>), bytes 1.. are the
/// stream. It is parsed as one span and as one multi-segment sequence; each SSE event is decoded
/// with <see cref="AnthropicEventDecoder"/> and its text fields unescaped
/// (<see cref="AnthropicEventDecoder.Unescape"/>).
/// </para>
/// <para>
/// Valid: every stream within the default limits is valid for the tokenizer (SSE never fails);
/// it is valid for the decoder when no event throws. Not measured: the warm-up pass, which
/// allocates what is allocated once per stream or per decoder (the state's pooled buffers and the
/// decoder's unescape scratch growing to their size, strings of unknown enum values entering the
/// decoder's 16-entry cache); the sequence's segments, built before measuring; and, for the
/// decoder only, a stream that throws (an exception allocates), that names more than 16 distinct
/// unknown enum values (block type, stop reason, error type: the cache then evicts and decodes
/// again), or an unknown value longer than 256 bytes (never cached, by design), or whose JSON nests deeper than 64
/// levels (<see cref="Utf8JsonReader"/> itself allocates its depth stack beyond that). Nothing else is
/// excluded: no string is requested (event type strings, <c>GetString</c>) and no comment handler
/// is set.
/// </para>
/// <para>
/// The runtime can charge a few bytes to the thread now and then (tiered compilation swapping
/// code in), so the measured pass is repeated: the check fails only when three passes in a row
/// allocate.
/// </para>
/// </remarks>
public static class NoAllocationCheck
{
    public const int HeaderLength = 1;
    public const string EnvironmentSwitch = "SSECORE_FUZZ_ASSERT_NOALLOC";
    private const int MeasuredPasses = 3;
    private const int CacheCapacity = 16;
    private const int CachedLength = 256;

    // Utf8JsonReader tracks the first 64 levels in a ulong and allocates beyond them (BitStack).
    private const int MaxStackDepth = 64;

    /// <summary>Whether <see cref="EnvironmentSwitch"/> is set to 1.</summary>
    public static bool IsEnabled { get; } = Environment.GetEnvironmentVariable(EnvironmentSwitch) == "1";

    public static void Run(ReadOnlySpan<byte> input)
    {
        byte cut = input.Length > 0 ? input[0] : (byte)0;
        byte[] stream = input.Length > HeaderLength ? input.Slice(HeaderLength).ToArray() : [];
        FuzzChunks chunks = FuzzChunks.From(cut, stream.Length);
        ReadOnlySequence<byte> segments = chunks.ToSequence(stream);

        using var state = new SseParserState();
        var decoder = new AnthropicEventDecoder();

        // Warm-up: sizes every buffer, fills the caches and tells whether the decoder is in scope.
        bool decode = Decodes(stream, segments, state, decoder);
        long[] passes = new long[MeasuredPasses];
        for (int i = 0; i < MeasuredPasses; i++)
        {
            state.ResetForReconnect();
            long before = GC.GetAllocatedBytesForCurrentThread();
            long events = Parse(stream, segments, state, decode ? decoder : null);
            passes[i] = GC.GetAllocatedBytesForCurrentThread() - before;
            if (passes[i] == 0)
            {
                return;
            }

            GC.KeepAlive(events);
        }

        throw new FuzzCheckFailedException(
            $"parsing a valid stream again allocated {string.Join(", ", passes)} bytes in {MeasuredPasses} passes ({(decode ? "tokenizer + decoder" : "tokenizer only")}, segments [{string.Join(",", chunks.Sizes)}])\nStream ({stream.Length} bytes): {FuzzChunks.Escape(stream)}");
    }

    /// <summary>The warm-up pass: true when the decoder decodes every event without throwing and its string cache covers the stream's unknown values.</summary>
    private static bool Decodes(byte[] stream, ReadOnlySequence<byte> segments, SseParserState state, AnthropicEventDecoder decoder)
    {
        var unknown = new HashSet<string>(StringComparer.Ordinal);
        bool ok = true;
        for (int pass = 0; pass < 2; pass++)
        {
            state.ResetForReconnect();
            var span = new SseTokenizer(stream.AsSpan(), isFinalBlock: true, state);
            while (span.TryRead(out SseEvent e))
            {
                ok &= TryDecode(decoder, e, unknown);
            }

            state.ResetForReconnect();
            var sequence = new SseTokenizer(segments, isFinalBlock: true, state);
            while (sequence.TryRead(out SseEvent e))
            {
                ok &= TryDecode(decoder, e, unknown);
            }
        }

        return ok && unknown.Count <= CacheCapacity;
    }

    private static bool TryDecode(AnthropicEventDecoder decoder, SseEvent sse, HashSet<string> unknown)
    {
        try
        {
            AnthropicEvent e = decoder.Decode(sse);
            Unescape(decoder, in e);
            if (e.Kind != AnthropicEventKind.Unknown && Depth(sse.Data) > MaxStackDepth)
            {
                return false;
            }

            switch (e.Kind)
            {
                case AnthropicEventKind.ContentBlockStart when e.ContentBlockStart.Type.Kind == ContentBlockTypeKind.Unknown:
                    return Note(unknown, "block:" + e.ContentBlockStart.Type.Value);
                case AnthropicEventKind.MessageDelta when e.MessageDelta.StopReason is { Kind: StopReasonKind.Unknown } reason:
                    return Note(unknown, "stop:" + reason.Value);
                case AnthropicEventKind.Error when e.Error.Type.Kind == ErrorTypeKind.Unknown:
                    return Note(unknown, "error:" + e.Error.Type.Value);
            }

            return true;
        }
        catch (AnthropicException)
        {
            return false;
        }
    }

    /// <summary>How deeply the JSON nests (the data decoded without error, so it is JSON).</summary>
    private static int Depth(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1024 });
        int max = 0;
        while (reader.Read())
        {
            max = Math.Max(max, reader.CurrentDepth + 1);
        }

        return max;
    }

    private static bool Note(HashSet<string> unknown, string value)
    {
        unknown.Add(value);
        return System.Text.Encoding.UTF8.GetByteCount(value.AsSpan(value.IndexOf(':', StringComparison.Ordinal) + 1)) <= CachedLength;
    }

    /// <summary>The measured pass: no allocation may happen in here.</summary>
    private static long Parse(byte[] stream, ReadOnlySequence<byte> segments, SseParserState state, AnthropicEventDecoder? decoder)
    {
        long events = 0;
        var span = new SseTokenizer(stream.AsSpan(), isFinalBlock: true, state);
        while (span.TryRead(out SseEvent e))
        {
            events += Consume(decoder, e);
        }

        state.ResetForReconnect();
        var sequence = new SseTokenizer(segments, isFinalBlock: true, state);
        while (sequence.TryRead(out SseEvent e))
        {
            events += Consume(decoder, e);
        }

        return events;
    }

    private static long Consume(AnthropicEventDecoder? decoder, SseEvent sse)
    {
        long n = sse.Data.Length + sse.EventType.Length + sse.LastEventId.Length + 1;
        if (decoder is not null)
        {
            AnthropicEvent e = decoder.Decode(sse);
            n += Unescape(decoder, in e);
        }

        return n;
    }

    private static int Unescape(AnthropicEventDecoder decoder, in AnthropicEvent e) => e.Kind switch
    {
        AnthropicEventKind.ContentBlockDelta => decoder.Unescape(e.Delta.Payload).Length,
        AnthropicEventKind.ContentBlockStart => decoder.Unescape(e.ContentBlockStart.Text).Length + decoder.Unescape(e.ContentBlockStart.Name).Length,
        AnthropicEventKind.MessageStart => decoder.Unescape(e.MessageStart.Id).Length + decoder.Unescape(e.MessageStart.Model).Length,
        AnthropicEventKind.Error => decoder.Unescape(e.Error.Message).Length,
        _ => 0,
    };
}
