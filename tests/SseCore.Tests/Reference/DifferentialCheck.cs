using System.Buffers;
using System.IO;
using System.IO.Pipelines;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Tests.Fuzz;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Reference;

/// <summary>
/// The fuzz target, shared by the AFL++ harness (fuzz/SseCore.Fuzz) and the corpus replay test: one
/// input is parsed by <see cref="SseTokenizer"/> in several ways and every result is compared with
/// <see cref="WhatwgReference"/> and with a small model of what the library adds to the spec
/// (comments, event offsets and numbers, limits).
/// </summary>
/// <remarks>
/// Input layout: byte 0 picks the cuts (bits 0-1: the largest buffer/segment size, 3, 16, 64 or 256
/// bytes; bit 2: end with an extra empty final block; bits 3-7 with the other header bytes: the
/// seed of the cut sizes); byte 1 is MaxLineLength for the limited runs (1 + b % 64); byte 2 is
/// MaxEventSize for them (1 + b % 64); bytes 3.. are the event stream. A shorter input is an empty
/// stream with the header bytes it has.
/// <list type="number">
/// <item>unlimited, as one span; as successive buffers of chosen sizes (empty ones included), each
/// given as a span or as a two-segment sequence; and as one multi-segment sequence with empty
/// segments: each must equal the reference (events, last event ID, retry) and the model;</item>
/// <item>with the tiny limits, as one span and as the same buffers: either the stream stays within
/// them and the result is the same as unlimited, or <see cref="SseLimitExceededException"/> is
/// thrown for exactly the limit, value and byte offset that the model predicts, after exactly the
/// events dispatched before that point.</item>
/// </list>
/// Any other exception from the library is a bug and escapes, wrapped in a
/// <see cref="FuzzCheckFailedException"/> that describes the input.
/// </remarks>
public static class DifferentialCheck
{
    public const int HeaderLength = 3;

    private static readonly Encoding Latin1 = Encoding.Latin1;
    private static readonly int[] MaxPieceSizes = [3, 16, 64, 256];

    public static void Run(ReadOnlySpan<byte> input)
    {
        byte cut = input.Length > 0 ? input[0] : (byte)0;
        byte lineByte = input.Length > 1 ? input[1] : (byte)0;
        byte eventByte = input.Length > 2 ? input[2] : (byte)0;
        byte[] payload = input.Length > HeaderLength ? input.Slice(HeaderLength).ToArray() : [];

        SseOutcome expected = WhatwgReference.Parse(payload);
        StreamModel model = StreamModel.Build(payload, SseParserOptions.DefaultMaxLineLength, SseParserOptions.DefaultMaxEventSize);
        if (model.Limit is not null)
        {
            throw new InvalidOperationException("The fuzz input cannot exceed the default limits.");
        }

        var cuts = new Cuts(cut, lineByte, eventByte);
        IReadOnlyList<Piece> buffers = cuts.Buffers(payload.Length);
        IReadOnlyList<int> segments = cuts.Segments(payload.Length);
        string shown = Describe(buffers);
        string pipeBuffer = $"pipe buffer {cuts.PipeBufferSize}";

        Observed[] unlimited =
        [
            Observe("whole span", payload, null, ParseSpan),
            Observe($"buffers [{shown}]{(cuts.FinalEmptyBlock ? " + empty final block" : "")}", payload, null, (p, s, o) => ParseBuffers(p, s, o, buffers, cuts.FinalEmptyBlock)),
            Observe($"one sequence of segments [{string.Join(",", segments)}]", payload, null, (p, s, o) => ParseSegments(p, s, o, segments)),
            Observe("SseParser.Parse(span)", payload, null, ParseWithHandler),
            Observe($"SseParser.Parse over buffers [{shown}]", payload, null, (p, s, o) => ParseBuffersWithHandler(p, s, o, buffers)),
            Observe($"SseReader over reads [{shown}], {pipeBuffer}", payload, null, (p, s, o) => ReadWithSseReader(p, s, o, buffers, cuts.PipeBufferSize)),
            Observe($"SseParser.ParseAsync over reads [{shown}], {pipeBuffer}", payload, null, (p, s, o) => ParseAsyncWithHandler(p, s, o, buffers, cuts.PipeBufferSize)),
        ];

        foreach (Observed o in unlimited)
        {
            if (o.Error is not null)
            {
                Fail(payload, input, o.Mode, $"threw {o.Error.GetType().Name} without a limit: {o.Error.Message}", o.Error);
            }

            CheckAgainstModels(payload, input, o, expected, model, model.EventCount);
        }

        var options = new SseParserOptions { MaxLineLength = 1 + (lineByte % 64), MaxEventSize = 1 + (eventByte % 64) };
        StreamModel limited = StreamModel.Build(payload, options.MaxLineLength, options.MaxEventSize);
        string limits = $" with MaxLineLength={options.MaxLineLength}, MaxEventSize={options.MaxEventSize}";
        Observed[] bounded =
        [
            Observe("whole span" + limits, payload, options, ParseSpan),
            Observe($"buffers [{shown}]" + limits, payload, options, (p, s, o) => ParseBuffers(p, s, o, buffers, cuts.FinalEmptyBlock)),
            Observe($"SseReader over reads [{shown}], {pipeBuffer}" + limits, payload, options, (p, s, o) => ReadWithSseReader(p, s, o, buffers, cuts.PipeBufferSize)),
        ];

        foreach (Observed o in bounded)
        {
            if (limited.Limit is not LimitHit hit)
            {
                if (o.Error is not null)
                {
                    Fail(payload, input, o.Mode, $"threw {o.Error.GetType().Name} but no line or event exceeds the limits: {o.Error.Message}", o.Error);
                }

                CheckAgainstModels(payload, input, o, expected, model, model.EventCount);
                continue;
            }

            if (o.Error is not SseLimitExceededException e)
            {
                Fail(payload, input, o.Mode, $"expected SseLimitExceededException({hit.Limit}, offset {hit.ByteOffset}) but got {(o.Error is null ? "no exception" : o.Error.GetType().Name)}", o.Error);
                return;
            }

            long limitValue = hit.Limit == SseLimit.LineLength ? options.MaxLineLength : options.MaxEventSize;
            if (e.Limit != hit.Limit || e.LimitValue != limitValue || e.ByteOffset != hit.ByteOffset)
            {
                Fail(payload, input, o.Mode, $"expected SseLimitExceededException({hit.Limit}, {limitValue}, offset {hit.ByteOffset}) but got ({e.Limit}, {e.LimitValue}, offset {e.ByteOffset})", e);
            }

            CheckAgainstModels(payload, input, o, expected, limited, hit.EventsBefore);
        }
    }

    private static void CheckAgainstModels(byte[] payload, ReadOnlySpan<byte> input, Observed o, SseOutcome expected, StreamModel model, int eventCount)
    {
        bool complete = o.Error is null;
        var expectedEvents = expected.Events.Take(eventCount).ToList();
        if (!Enumerable.SequenceEqual(expectedEvents, o.Events))
        {
            Fail(payload, input, o.Mode, $"events differ from the reference.\nExpected: {string.Join("\n", expectedEvents)}\nActual:   {string.Join("\n", o.Events)}");
        }

        if (complete && o.HasEndState && (o.LastEventId != expected.LastEventId || o.Retry != expected.Retry))
        {
            Fail(payload, input, o.Mode, $"end state differs: expected lastEventId=<{SseRecord.Escape(expected.LastEventId)}> retry={expected.Retry}, actual lastEventId=<{SseRecord.Escape(o.LastEventId)}> retry={o.Retry}");
        }

        for (int i = 0; i < o.Events.Count; i++)
        {
            if (o.EventNumbers[i] != i + 1)
            {
                Fail(payload, input, o.Mode, $"event {i + 1} has EventNumber {o.EventNumbers[i]}");
            }

            long start = model.EventStarts[i];
            if (o.StreamOffsets[i] != start)
            {
                Fail(payload, input, o.Mode, $"event {i + 1} has StreamOffset {o.StreamOffsets[i]}, but its first line starts at {model.EventStarts[i]}");
            }
        }

        int commentCount = complete ? model.Comments.Count : model.Limit!.Value.CommentsBefore;
        var expectedComments = model.Comments.Take(commentCount).ToList();
        if (!Enumerable.SequenceEqual(expectedComments, o.Comments))
        {
            Fail(payload, input, o.Mode, $"comments differ.\nExpected: {string.Join(" | ", expectedComments.Select(SseRecord.Escape))}\nActual:   {string.Join(" | ", o.Comments.Select(SseRecord.Escape))}");
        }

        if (complete && o.HasEndState && (o.BytesConsumed != payload.Length || !o.IsCompleted || o.EventsDispatched != o.Events.Count))
        {
            Fail(payload, input, o.Mode, $"end counters: BytesConsumed={o.BytesConsumed} (of {payload.Length}), IsCompleted={o.IsCompleted}, EventsDispatched={o.EventsDispatched} (yielded {o.Events.Count})");
        }
    }

    // ---- running the tokenizer ----

    private delegate void Parser(byte[] payload, SseParserState state, Observed observed);

    private sealed class Observed(string mode)
    {
        public string Mode { get; } = mode;

        public List<SseRecord> Events { get; } = [];

        public List<long> StreamOffsets { get; } = [];

        public List<long> EventNumbers { get; } = [];

        public List<string> Comments { get; } = [];

        public Exception? Error { get; set; }

        /// <summary>False for an entry point that keeps its state to itself.</summary>
        public bool HasEndState { get; set; } = true;

        public bool EndStateRecorded { get; private set; }

        public string LastEventId { get; set; } = "";

        public long? Retry { get; set; }

        public long BytesConsumed { get; set; }

        public long EventsDispatched { get; set; }

        public bool IsCompleted { get; set; }

        public void RecordEnd(SseParserState state)
        {
            LastEventId = Latin1.GetString(state.LastEventId);
            Retry = state.ReconnectionTime;
            BytesConsumed = state.BytesConsumed;
            EventsDispatched = state.EventsDispatched;
            IsCompleted = state.IsCompleted;
            EndStateRecorded = true;
        }

        public void AddComment(ReadOnlySpan<byte> comment) => Comments.Add(Latin1.GetString(comment));

        public void Add(SseEvent e)
        {
            Events.Add(new SseRecord(Latin1.GetString(e.EventType), Latin1.GetString(e.Data), Latin1.GetString(e.LastEventId), e.ReconnectionTime));
            StreamOffsets.Add(e.StreamOffset);
            EventNumbers.Add(e.EventNumber);
        }
    }

    private static Observed Observe(string mode, byte[] payload, SseParserOptions? options, Parser parse)
    {
        var observed = new Observed(mode);
        var state = new SseParserState(options);
        state.CommentHandler = observed.AddComment;
        try
        {
            parse(payload, state, observed);
            if (observed.HasEndState && !observed.EndStateRecorded)
            {
                observed.RecordEnd(state);
            }
        }
        catch (SseLimitExceededException e)
        {
            observed.Error = e;
        }
        catch (Exception e) when (e is not FuzzCheckFailedException)
        {
            // Only the limit exception may leave the parser.
            throw new FuzzCheckFailedException($"{mode}: the parser threw {e.GetType().FullName}: {e.Message}\nPayload ({payload.Length} bytes): {Escape(payload)}", e);
        }

        state.Dispose();
        return observed;
    }

    private static void ParseSpan(byte[] payload, SseParserState state, Observed observed)
    {
        var tokenizer = new SseTokenizer(payload.AsSpan(), isFinalBlock: true, state);
        while (tokenizer.TryRead(out SseEvent e))
        {
            observed.Add(e);
        }

        Expect(tokenizer.BytesConsumed == payload.Length, observed.Mode, $"span tokenizer consumed {tokenizer.BytesConsumed} of {payload.Length} bytes");
    }

    private static void ParseBuffers(byte[] payload, SseParserState state, Observed observed, IReadOnlyList<Piece> buffers, bool finalEmptyBlock)
    {
        int offset = 0;
        for (int i = 0; i < buffers.Count; i++)
        {
            Piece piece = buffers[i];
            bool final = !finalEmptyBlock && i == buffers.Count - 1;
            ReadOnlyMemory<byte> chunk = payload.AsMemory(offset, piece.Length);
            offset += piece.Length;
            if (piece.AsSequence)
            {
                // Two segments with an empty one between, as a pipe can hand them out.
                int half = piece.Length / 2;
                ReadOnlySequence<byte> seq = Sequences.FromParts([chunk.Slice(0, half), ReadOnlyMemory<byte>.Empty, chunk.Slice(half)]);
                var tokenizer = new SseTokenizer(seq, final, state);
                while (tokenizer.TryRead(out SseEvent e))
                {
                    observed.Add(e);
                }

                Expect(tokenizer.Consumed.Equals(seq.End), observed.Mode, $"buffer {i}: Consumed is not the end of the sequence after TryRead returned false");
                Expect(tokenizer.BytesConsumed == piece.Length, observed.Mode, $"buffer {i}: consumed {tokenizer.BytesConsumed} of {piece.Length} bytes");
            }
            else
            {
                var tokenizer = new SseTokenizer(chunk.Span, final, state);
                while (tokenizer.TryRead(out SseEvent e))
                {
                    observed.Add(e);
                }

                Expect(tokenizer.BytesConsumed == piece.Length, observed.Mode, $"buffer {i}: consumed {tokenizer.BytesConsumed} of {piece.Length} bytes");
            }
        }

        if (finalEmptyBlock)
        {
            var end = new SseTokenizer(ReadOnlySpan<byte>.Empty, isFinalBlock: true, state);
            while (end.TryRead(out SseEvent e))
            {
                observed.Add(e);
            }
        }
    }

    private static void ParseSegments(byte[] payload, SseParserState state, Observed observed, IReadOnlyList<int> segments)
    {
        var parts = new List<ReadOnlyMemory<byte>>(segments.Count);
        int offset = 0;
        foreach (int length in segments)
        {
            parts.Add(payload.AsMemory(offset, length));
            offset += length;
        }

        ReadOnlySequence<byte> seq = Sequences.FromParts(parts);
        var tokenizer = new SseTokenizer(seq, isFinalBlock: true, state);
        while (tokenizer.TryRead(out SseEvent e))
        {
            observed.Add(e);
        }

        Expect(tokenizer.Consumed.Equals(seq.End), observed.Mode, "Consumed is not the end of the sequence after TryRead returned false");
    }

    /// <summary>The struct handler of <see cref="SseParser"/>, collecting into an <see cref="Observed"/>.</summary>
    private readonly struct CollectingHandler(Observed observed) : ISseHandler
    {
        public void OnEvent(SseEvent sseEvent) => observed.Add(sseEvent);

        public void OnComment(ReadOnlySpan<byte> comment) => observed.AddComment(comment);
    }

    private static void ParseWithHandler(byte[] payload, SseParserState unused, Observed observed)
    {
        // This overload owns (and disposes) its state: there is no end state to look at.
        observed.HasEndState = false;
        var handler = new CollectingHandler(observed);
        SseParser.Parse(payload.AsSpan(), ref handler, unused.Options);
    }

    private static void ParseBuffersWithHandler(byte[] payload, SseParserState state, Observed observed, IReadOnlyList<Piece> buffers)
    {
        // The handler gets the comments: keep the state's hook from counting them twice.
        state.CommentHandler = null;
        var handler = new CollectingHandler(observed);
        int offset = 0;
        for (int i = 0; i < buffers.Count; i++)
        {
            var seq = new ReadOnlySequence<byte>(payload, offset, buffers[i].Length);
            offset += buffers[i].Length;
            SseParser.Parse(seq, i == buffers.Count - 1, state, ref handler);
        }
    }

    private static void ReadWithSseReader(byte[] payload, SseParserState unused, Observed observed, IReadOnlyList<Piece> reads, int pipeBufferSize)
    {
        var pipe = PipeReader.Create(new PieceStream(payload, reads.Select(r => r.Length).ToArray()), new StreamPipeReaderOptions(bufferSize: pipeBufferSize, minimumReadSize: 1));
        using var reader = new SseReader(pipe, unused.Options);
        reader.CommentHandler = observed.AddComment;
        while (Wait(reader.MoveNextAsync()))
        {
            SseEvent e = reader.Current;
            Expect(e.LastEventId.SequenceEqual(reader.LastEventId), observed.Mode, "Current.LastEventId differs from SseReader.LastEventId");
            observed.Add(e);
        }

        Expect(!Wait(reader.MoveNextAsync()), observed.Mode, "MoveNextAsync returned true after the end");
        observed.RecordEnd(reader.State);
    }

    private static void ParseAsyncWithHandler(byte[] payload, SseParserState state, Observed observed, IReadOnlyList<Piece> reads, int pipeBufferSize)
    {
        state.CommentHandler = null;
        var pipe = PipeReader.Create(new PieceStream(payload, reads.Select(r => r.Length).ToArray()), new StreamPipeReaderOptions(bufferSize: pipeBufferSize, minimumReadSize: 1));
        Wait(SseParser.ParseAsync(pipe, new CollectingHandler(observed), state));
        pipe.Complete();
    }

    /// <summary>Everything here completes synchronously (the stream answers at once); wait anyway if not.</summary>
    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();


    // ---- choosing the cuts ----

    private readonly record struct Piece(int Length, bool AsSequence);

    /// <summary>Buffer and segment sizes drawn from a small PRNG seeded by the header.</summary>
    private sealed class Cuts(byte cut, byte lineByte, byte eventByte)
    {
        private readonly int _maxPiece = MaxPieceSizes[cut & 3];
        private uint _state = (uint)((cut >> 3) | (lineByte << 5) | (eventByte << 13)) * 2654435761u + 0x9E3779B9u;

        public bool FinalEmptyBlock { get; } = (cut & 4) != 0;

        /// <summary>The StreamPipeReader's buffer size: small, so that its buffers have many segments.</summary>
        public int PipeBufferSize { get; } = 1 + (lineByte ^ eventByte) % 32;

        public IReadOnlyList<Piece> Buffers(int length)
        {
            // Empty non-final buffers are allowed; past a bound the rest goes in one buffer.
            var pieces = new List<Piece>();
            int left = length;
            int budget = (2 * length) + 4;
            while (left > 0 || pieces.Count == 0)
            {
                uint r = Next();
                int size = --budget <= 0 ? left : Math.Min(left, (int)(r % (uint)(_maxPiece + 1)));
                pieces.Add(new Piece(size, (r & 0x10000) != 0));
                left -= size;
            }

            return pieces;
        }

        public IReadOnlyList<int> Segments(int length)
        {
            // Empty segments anywhere, the first and last included.
            var sizes = new List<int>();
            int left = length;
            int budget = (2 * length) + 4;
            while (left > 0)
            {
                int size = --budget <= 0 ? left : Math.Min(left, (int)(Next() % (uint)(_maxPiece + 1)));
                sizes.Add(size);
                left -= size;
            }

            if ((Next() & 1) != 0)
            {
                sizes.Add(0);
            }

            return sizes;
        }

        private uint Next()
        {
            // xorshift32
            uint x = _state == 0 ? 1u : _state;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            _state = x;
            return x;
        }
    }

    // ---- the model of what the library adds to the spec ----

    private readonly record struct LimitHit(SseLimit Limit, long ByteOffset, int EventsBefore, int CommentsBefore);

    /// <summary>
    /// The stream's lines with their offsets: where each dispatched event's first line starts (the
    /// line after the previous blank line, a BOM excluded), the comments, and the first limit a
    /// stream crosses. Lines and fields are read as in <see cref="WhatwgReference"/>; what is
    /// modelled here is only what the spec leaves to the library.
    /// </summary>
    private sealed class StreamModel
    {
        public List<long> EventStarts { get; } = [];

        public List<string> Comments { get; } = [];

        public int EventCount => EventStarts.Count;

        public LimitHit? Limit { get; private set; }

        public static StreamModel Build(byte[] input, int maxLine, int maxEvent)
        {
            var model = new StreamModel();
            ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
            if (input.Length < bom.Length && bom.StartsWith(input))
            {
                // A stream that ends inside what could still be a BOM: the tokenizer cannot tell
                // these bytes from a BOM until a byte that differs arrives, and at the end they are
                // an unterminated line, discarded. No limit applies to them.
                return model;
            }

            int i = input.AsSpan().StartsWith(bom) ? bom.Length : 0;
            long eventStart = i;
            int dataLength = -1; // the data buffer without its trailing LF; -1 when the event has none
            while (i < input.Length)
            {
                int lineStart = i;
                int end = input.AsSpan(i).IndexOfAny((byte)'\r', (byte)'\n');
                bool terminated = end >= 0;
                end = terminated ? i + end : input.Length;
                ReadOnlySpan<byte> line = input.AsSpan(lineStart, end - lineStart);

                // MaxLineLength: the line end excluded; an unterminated line counts as it grows.
                if (line.Length > maxLine)
                {
                    model.Limit = new LimitHit(SseLimit.LineLength, lineStart + maxLine, model.EventCount, model.Comments.Count);
                    return model;
                }

                if (!terminated)
                {
                    break;
                }

                i = end + 1;
                if (input[end] == (byte)'\r' && i < input.Length && input[i] == (byte)'\n')
                {
                    i++;
                }

                if (line.IsEmpty)
                {
                    if (dataLength >= 0)
                    {
                        model.EventStarts.Add(eventStart);
                    }

                    dataLength = -1;
                    eventStart = i;
                    continue;
                }

                if (line[0] == (byte)':')
                {
                    model.Comments.Add(Latin1.GetString(line.Slice(1)));
                    continue;
                }

                int colon = line.IndexOf((byte)':');
                if (!(colon < 0 ? line : line.Slice(0, colon)).SequenceEqual("data"u8))
                {
                    continue;
                }

                int valueStart = colon < 0 ? line.Length : colon + 1;
                if (valueStart < line.Length && line[valueStart] == (byte)' ')
                {
                    valueStart++;
                }

                // MaxEventSize: the values joined by LF; the first byte past it is byte
                // (maxEvent - dataLength - 1) of this value. When the joining LF itself is past it,
                // the library reports the value's first byte (the LF is not in the input).
                int valueLength = line.Length - valueStart;
                long size = dataLength + 1L + valueLength;
                if (size > maxEvent)
                {
                    model.Limit = new LimitHit(SseLimit.EventSize, lineStart + valueStart + Math.Max(0L, maxEvent - dataLength - 1L), model.EventCount, model.Comments.Count);
                    return model;
                }

                dataLength = (int)size;
            }

            return model;
        }
    }

    // ---- reporting ----

    private static void Expect(bool condition, string mode, string message)
    {
        if (!condition)
        {
            throw new FuzzCheckFailedException($"{mode}: {message}");
        }
    }

    private static void Fail(byte[] payload, ReadOnlySpan<byte> input, string mode, string message, Exception? inner = null) =>
        throw new FuzzCheckFailedException(
            $"{mode}: {message}\nHeader: {Convert.ToHexString(input.Slice(0, Math.Min(HeaderLength, input.Length)))}\nPayload ({payload.Length} bytes): {Escape(payload)}",
            inner);

    private static string Describe(IReadOnlyList<Piece> pieces) =>
        string.Join(",", pieces.Select(p => p.AsSequence ? $"{p.Length}s" : p.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public static string Escape(byte[] bytes) =>
        string.Concat(bytes.Take(400).Select(b => b switch
        {
            (byte)'\r' => "\\r",
            (byte)'\n' => "\\n",
            (byte)'\\' => "\\\\",
            >= 0x20 and < 0x7F => ((char)b).ToString(),
            _ => $"\\x{b:X2}",
        })) + (bytes.Length > 400 ? "..." : "");
}
