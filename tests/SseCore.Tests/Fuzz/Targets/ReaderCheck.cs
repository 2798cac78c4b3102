using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;

namespace SseCore.Tests.Fuzz;

/// <summary>
/// Fuzz target 2: <see cref="SseReader"/> over a <see cref="Pipe"/> that is written in the chosen
/// chunks, with small limits. Only <see cref="SseLimitExceededException"/> may escape, the reader
/// must yield what the span tokenizer yields, and the memory it holds must stay under the limits
/// plus a constant however long the stream is.
/// </summary>
/// <remarks>
/// Input layout: byte 0 picks the write sizes (<see cref="FuzzChunks"/>); byte 1 is MaxLineLength
/// (1 + b); byte 2 is MaxEventSize (1 + 4 b); byte 3 is how often the rest is repeated to make the
/// stream (1 + b, capped at <see cref="MaxStreamLength"/> bytes), so that a short input can make a
/// long stream and memory that grows with the stream shows. Bytes 4.. are the stream's unit.
/// <para>
/// Memory: the parser state's buffers (every byte array the state holds, found by reflection so
/// that the check does not depend on field names) must stay within
/// <see cref="StateBound"/>; the bytes the pipe keeps rented must stay within the largest write
/// plus three segments (the reader releases a buffer once it holds no more events).
/// </para>
/// </remarks>
public static class ReaderCheck
{
    public const int HeaderLength = 4;
    public const int MaxStreamLength = 64 * 1024;
    private const int SegmentSize = 64;
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    public static void Run(ReadOnlySpan<byte> input)
    {
        byte cut = At(input, 0);
        var options = new SseParserOptions { MaxLineLength = 1 + At(input, 1), MaxEventSize = 1 + (4 * At(input, 2)) };
        byte[] stream = BuildStream(input.Length > HeaderLength ? input.Slice(HeaderLength) : default, 1 + At(input, 3));
        FuzzChunks writes = FuzzChunks.From(cut, stream.Length);

        Outcome expected = ParseSpan(stream, options);
        Outcome actual = ReadThroughPipe(stream, options, writes, out long stateBytes, out long pipePeak);
        string where = $"SseReader over a Pipe, {stream.Length} bytes in {writes.Sizes.Length} writes (largest {writes.Largest}), MaxLineLength={options.MaxLineLength}, MaxEventSize={options.MaxEventSize}";

        if (!expected.SameAs(actual))
        {
            Fail(where, $"differs from the span tokenizer.\nExpected: {expected}\nActual:   {actual}", stream);
        }

        long stateLimit = StateBound(options);
        if (stateBytes > stateLimit)
        {
            Fail(where, $"the parser state held {stateBytes} bytes of buffers, more than the bound {stateLimit} (limits plus a constant)", stream);
        }

        long pipeLimit = writes.Largest + (3L * SegmentSize);
        if (pipePeak > pipeLimit)
        {
            Fail(where, $"the pipe kept {pipePeak} bytes rented, more than the largest write plus three segments ({pipeLimit}): the reader does not release what it has parsed", stream);
        }
    }

    /// <summary>
    /// What the state may hold: each of its buffers (line, type, data, ID buffer, last ID and the
    /// last ID's copy) at most the pool's rounding of twice its limit, with 256 bytes the
    /// smallest rental; 4 KiB for anything else.
    /// </summary>
    public static long StateBound(SseParserOptions options) =>
        (5L * Rounded(2L * options.MaxLineLength)) + Rounded(2L * options.MaxEventSize) + 4096;

    private static long Rounded(long n)
    {
        long size = 256;
        while (size < n)
        {
            size *= 2;
        }

        return size;
    }

    private static byte At(ReadOnlySpan<byte> input, int i) => input.Length > i ? input[i] : (byte)0;

    private static byte[] BuildStream(ReadOnlySpan<byte> unit, int repeat)
    {
        if (unit.IsEmpty)
        {
            return [];
        }

        repeat = Math.Max(1, Math.Min(repeat, MaxStreamLength / unit.Length));
        byte[] stream = new byte[unit.Length * repeat];
        for (int i = 0; i < repeat; i++)
        {
            unit.CopyTo(stream.AsSpan(i * unit.Length));
        }

        return stream;
    }

    /// <summary>What a parse gives, reduced to numbers that are cheap to compare.</summary>
    private sealed class Outcome
    {
        public long Events { get; private set; }

        public ulong Hash { get; private set; } = 14695981039346656037UL;

        public string End { get; private set; } = "not finished";

        public void Add(SseEvent e)
        {
            Events++;
            ulong h = Hash;
            h = Mix(h, e.EventType);
            h = Mix(h, e.Data);
            h = Mix(h, e.LastEventId);
            h = (h ^ (ulong)(e.ReconnectionTime ?? -1)) * 1099511628211UL;
            h = (h ^ (ulong)e.StreamOffset) * 1099511628211UL;
            h = (h ^ (ulong)e.EventNumber) * 1099511628211UL;
            Hash = h;
        }

        public void Finish(SseParserState state, SseLimitExceededException? limit) =>
            End = limit is null
                ? $"end: lastEventId=<{FuzzChunks.Escape(state.LastEventId)}> retry={state.ReconnectionTime}"
                : $"{limit.Limit} limit {limit.LimitValue} at offset {limit.ByteOffset}";

        public bool SameAs(Outcome other) => Events == other.Events && Hash == other.Hash && End == other.End;

        public override string ToString() => $"{Events} events (hash {Hash:X16}), {End}";

        private static ulong Mix(ulong h, ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes)
            {
                h = (h ^ b) * 1099511628211UL;
            }

            return (h ^ 0xFF) * 1099511628211UL;
        }
    }

    private static Outcome ParseSpan(byte[] stream, SseParserOptions options)
    {
        var outcome = new Outcome();
        using var state = new SseParserState(options);
        try
        {
            var tokenizer = new SseTokenizer(stream.AsSpan(), isFinalBlock: true, state);
            while (tokenizer.TryRead(out SseEvent e))
            {
                outcome.Add(e);
            }

            outcome.Finish(state, null);
        }
        catch (SseLimitExceededException e)
        {
            outcome.Finish(state, e);
        }

        return outcome;
    }

    private static Outcome ReadThroughPipe(byte[] stream, SseParserOptions options, FuzzChunks writes, out long stateBytes, out long pipePeak)
    {
        var pool = new CountingPool();
        // Back-pressure at one byte: a flush returns only once the reader has consumed everything,
        // so each write is parsed before the next one is made, however the reader's continuations
        // are scheduled (inline with the net10.0 asset; the netstandard2.0 asset's run on the pool).
        var pipe = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline, pauseWriterThreshold: 1, resumeWriterThreshold: 1, minimumSegmentSize: SegmentSize, useSynchronizationContext: false));
        var consumer = new Consumer(new SseReader(pipe.Reader, options));
        Task reading = consumer.RunAsync();
        int offset = 0;
        foreach (int size in writes.Sizes)
        {
            if (reading.IsCompleted)
            {
                break;
            }

            pipe.Writer.Write(stream.AsSpan(offset, size));
            offset += size;
            ValueTask<FlushResult> flush = pipe.Writer.FlushAsync();
            if (flush.IsCompleted)
            {
                flush.GetAwaiter().GetResult();
                continue;
            }

            // A reader that failed consumes nothing more: then the flush waits forever, by design.
            if (Task.WaitAny([flush.AsTask(), reading], StallTimeout) < 0)
            {
                throw new FuzzCheckFailedException($"SseReader stopped consuming: a write waited {StallTimeout.TotalSeconds} s ({consumer.Outcome.Events} events read)");
            }
        }

        pipe.Writer.Complete();
        bool finished;
        try
        {
            finished = reading.Wait(StallTimeout);
        }
        catch (AggregateException)
        {
            finished = true;
        }

        if (!finished)
        {
            throw new FuzzCheckFailedException($"SseReader did not finish after the writer completed ({consumer.Outcome.Events} events read): it waits for bytes that will never come");
        }

        if (reading.IsFaulted)
        {
            Exception e = reading.Exception!.InnerException!;
            throw new FuzzCheckFailedException($"SseReader threw {e.GetType().FullName}, not the documented SseLimitExceededException: {e.Message}\nStream ({stream.Length} bytes): {FuzzChunks.Escape(stream)}", e);
        }

        stateBytes = consumer.StatePeak;
        pipePeak = pool.Peak;
        return consumer.Outcome;
    }

    private sealed class Consumer(SseReader reader)
    {
        public Outcome Outcome { get; } = new();

        public long StatePeak { get; private set; }

        public async Task RunAsync()
        {
            SseLimitExceededException? limit = null;
            try
            {
                while (await reader.MoveNextAsync().ConfigureAwait(false))
                {
                    Outcome.Add(reader.Current);

                    // Reflection is slow: sample the state's size at a few events, then at the end.
                    if ((Outcome.Events & (Outcome.Events - 1)) == 0 || Outcome.Events % 256 == 0)
                    {
                        StatePeak = Math.Max(StatePeak, BytesHeld(reader.State));
                    }
                }
            }
            catch (SseLimitExceededException e)
            {
                limit = e;
                await ExpectSameFailureAsync(e).ConfigureAwait(false);
            }

            StatePeak = Math.Max(StatePeak, BytesHeld(reader.State));
            Outcome.Finish(reader.State, limit);
            reader.Dispose();
        }

        private async Task ExpectSameFailureAsync(SseLimitExceededException first)
        {
            // Documented: a reader that failed keeps failing, it never looks like a clean end.
            try
            {
                bool more = await reader.MoveNextAsync().ConfigureAwait(false);
                throw new FuzzCheckFailedException($"after {first.GetType().Name}, MoveNextAsync returned {more} instead of throwing it again");
            }
            catch (SseLimitExceededException again) when (again.Limit == first.Limit && again.ByteOffset == first.ByteOffset)
            {
            }
        }
    }

    // ---- measuring what the state holds ----

    private static readonly FieldInfo[] StateFields = typeof(SseParserState).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

    /// <summary>Every byte array the state references, directly or inside a struct field (its pooled buffers).</summary>
    public static long BytesHeld(SseParserState state)
    {
        long total = 0;
        foreach (FieldInfo f in StateFields)
        {
            if (f.FieldType == typeof(byte[]))
            {
                total += ((byte[]?)f.GetValue(state))?.Length ?? 0;
            }
            else if (f.FieldType.IsValueType && !f.FieldType.IsPrimitive && !f.FieldType.IsEnum && f.FieldType.Assembly == typeof(SseParserState).Assembly)
            {
                object? inner = f.GetValue(state);
                foreach (FieldInfo g in f.FieldType.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
                {
                    if (g.FieldType == typeof(byte[]))
                    {
                        total += ((byte[]?)g.GetValue(inner))?.Length ?? 0;
                    }
                }
            }
        }

        return total;
    }

    /// <summary>A memory pool that counts the bytes rented and not yet returned, and their peak.</summary>
    private sealed class CountingPool : MemoryPool<byte>
    {
        private long _outstanding;

        public long Peak { get; private set; }

        public override int MaxBufferSize => 1024 * 1024;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            int size = minBufferSize <= 0 ? SegmentSize : minBufferSize;
            long outstanding = Interlocked.Add(ref _outstanding, size);
            Peak = Math.Max(Peak, outstanding);
            return new Owner(this, new byte[size]);
        }

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Owner(CountingPool pool, byte[] array) : IMemoryOwner<byte>
        {
            private byte[]? _array = array;

            public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Owner));

            public void Dispose()
            {
                if (_array is not null)
                {
                    Interlocked.Add(ref pool._outstanding, -_array.Length);
                    _array = null;
                }
            }
        }
    }

    private static void Fail(string where, string message, byte[] stream) =>
        throw new FuzzCheckFailedException($"{where}: {message}\nStream ({stream.Length} bytes): {FuzzChunks.Escape(stream)}");
}
