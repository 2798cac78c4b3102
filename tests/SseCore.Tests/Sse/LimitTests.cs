using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Sse;

/// <summary>Limits: bad input gets a typed exception with the byte offset, and memory stays bounded.</summary>
public class LimitTests
{
    [Fact]
    public void Options_RejectNonPositiveLimits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SseParserOptions { MaxLineLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SseParserOptions { MaxEventSize = -1 });
        Assert.Equal(4 * 1024 * 1024, new SseParserOptions().MaxLineLength);
        Assert.Equal(16 * 1024 * 1024, new SseParserOptions().MaxEventSize);
    }

    [Fact]
    public void StreamWithoutLineEnds_IsRejectedAtTheLimit_WithBoundedMemory()
    {
        // Buffer after buffer of 'x', never a line end.
        var options = new SseParserOptions { MaxLineLength = 64 * 1024 };
        using var state = new SseParserState(options);
        byte[] chunk = Enumerable.Repeat((byte)'x', 1000).ToArray();
        long fed = 0;
        SseLimitExceededException ex = Assert.Throws<SseLimitExceededException>((Action)(() =>
        {
            while (true)
            {
                var t = new SseTokenizer(chunk.AsSpan(), false, state);
                Assert.False(t.TryRead(out _));
                fed += chunk.Length;
                Assert.True(state.Line.Length <= options.MaxLineLength);
            }
        }));

        Assert.Equal(SseLimit.LineLength, ex.Limit);
        Assert.Equal(64 * 1024, ex.LimitValue);
        Assert.Equal(64 * 1024, ex.ByteOffset);
        Assert.Contains("65536", ex.Message);
        Assert.True(fed < 64 * 1024 + chunk.Length);
        Assert.IsAssignableFrom<IOException>(ex);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void LineOfExactlyTheLimit_IsAccepted_OneMoreByteIsNot(int bomAndPrefix)
    {
        var options = new SseParserOptions { MaxLineLength = 20 };
        string prefix = new('\n', bomAndPrefix);
        string ok = prefix + "data: " + new string('a', 14) + "\n\n";
        string bad = prefix + "data: " + new string('a', 15) + "\n\n";
        Assert.Single(SseHarness.ParseWhole(Encoding.ASCII.GetBytes(ok), options).Events);
        Chunkings.AssertAllChunkings(Encoding.ASCII.GetBytes(ok), SseHarness.ParseWhole(Encoding.ASCII.GetBytes(ok), options), options);

        // However the bytes arrive, the same exception at the same offset.
        byte[] input = Encoding.ASCII.GetBytes(bad);
        foreach ((string name, Func<byte[], Reference.SseOutcome> run) in Chunkings.All(input, options))
        {
            SseLimitExceededException ex = Assert.Throws<SseLimitExceededException>(() => run(input));
            Assert.True(ex.ByteOffset == bomAndPrefix + 20, $"{name}: offset {ex.ByteOffset}");
        }
    }

    [Fact]
    public void EventWhoseDataGrowsPastTheLimit_IsRejected()
    {
        var options = new SseParserOptions { MaxEventSize = 1000 };
        var sb = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            sb.Append("data: 0123456789\n");
        }

        byte[] input = Encoding.ASCII.GetBytes(sb.ToString());
        SseLimitExceededException ex = Assert.Throws<SseLimitExceededException>(() => SseHarness.ParseWhole(input, options));
        Assert.Equal(SseLimit.EventSize, ex.Limit);
        Assert.Equal(1000, ex.LimitValue);

        // 91 lines fit exactly (91*10 + 90 LFs = 1000); the 92nd line's joining LF would be byte
        // 1001, so the offset is its value's first byte.
        Assert.Equal((91 * 17) + 6, ex.ByteOffset);
        Assert.Equal(ex.ByteOffset, Assert.Throws<SseLimitExceededException>(() => SseHarness.ParseChunks(SseHarness.CutAt(input, [500, 1537]), options)).ByteOffset);
    }

    /// <summary>
    /// A comment consumed in one segment, then a line over the limit in the next: the reader
    /// releases what it consumed (the comment) and throws the limit, typed, with its offset.
    /// Found by the reader fuzz target when the consumed position was an index into a segment the
    /// tokenizer had left.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public async Task Reader_LineOverTheLimit_InTheSegmentAfterAComment_IsTheLimit(int eventsBefore)
    {
        string before = string.Concat(Enumerable.Repeat("data: e\n\n", eventsBefore));
        byte[] head = Encoding.ASCII.GetBytes(before + ": a comment longer than the segments after it\nda");
        // Segments shorter than the one the comment ended in, the limit crossed in the last.
        byte[] sixteen = "0123456789abcdef"u8.ToArray();
        ReadOnlySequence<byte> sequence = Sequences.FromParts([head, ReadOnlyMemory<byte>.Empty, "ta: 01234"u8.ToArray(), sixteen, sixteen, sixteen, "\n\n"u8.ToArray()]);
        await using var reader = new SseReader(PipeReader.Create(sequence), new SseParserOptions { MaxLineLength = 48 });
        for (int i = 0; i < eventsBefore; i++)
        {
            Assert.True(await reader.MoveNextAsync());
        }

        SseLimitExceededException ex = await Assert.ThrowsAsync<SseLimitExceededException>(async () => await reader.MoveNextAsync());
        Assert.Equal(SseLimit.LineLength, ex.Limit);
        Assert.Equal(head.Length - 2 + 48, ex.ByteOffset);
    }

    [Fact]
    public void EventsBelowTheLimit_ResetTheCount()
    {
        var options = new SseParserOptions { MaxEventSize = 30 };
        var sb = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            sb.Append("data: 0123456789\ndata: 0123456789\n\n");
        }

        Assert.Equal(100, SseHarness.ParseWhole(Encoding.ASCII.GetBytes(sb.ToString()), options).Events.Count);
    }

    [Fact]
    public async Task Reader_OverALiveWriterThatNeverEndsALine_ThrowsAtTheLimit_AndTheWriterIsHeldBack()
    {
        var options = new SseParserOptions { MaxLineLength = 256 * 1024 };
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024));
        long written = 0;
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(async () =>
        {
            byte[] chunk = Enumerable.Repeat((byte)'x', 4096).ToArray();
            while (!stop.IsCancellationRequested)
            {
                FlushResult r = await pipe.Writer.WriteAsync(chunk, stop.Token);
                if (r.IsCompleted)
                {
                    return;
                }

                Interlocked.Add(ref written, chunk.Length);
            }
        });

        var reader = new SseReader(pipe.Reader, options);
        SseLimitExceededException ex = await Assert.ThrowsAsync<SseLimitExceededException>(() => reader.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(SseLimit.LineLength, ex.Limit);
        Assert.Equal(256 * 1024, ex.ByteOffset);

        // Nothing is consumed any more: the pipe fills up to its threshold and then holds the
        // writer back, so the bytes in memory stay at the line limit plus the pipe's buffering,
        // however long the writer goes on. Wait until it is held (no progress for 300 ms).
        long held = Interlocked.Read(ref written);
        for (int i = 0; i < 100; i++)
        {
            await Task.Delay(300);
            long now = Interlocked.Read(ref written);
            if (now == held)
            {
                break;
            }

            held = now;
        }

        Assert.Equal(held, Interlocked.Read(ref written));
        Assert.True(held <= (256 * 1024) + (3 * ((64 * 1024) + 4096)), $"written {held}");
        Assert.True(reader.State.Line.Length <= options.MaxLineLength);

        await reader.DisposeAsync();
        await stop.CancelAsync();
        try
        {
            await writer;
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Fact]
    public void HugeLineInOneByteBuffers_CostsLinearTime()
    {
        // 16 MiB delivered one byte per buffer: a quadratic rescan would never finish.
        const int Size = 16 * 1024 * 1024;
        using var state = new SseParserState(new SseParserOptions { MaxLineLength = Size + 16, MaxEventSize = Size + 16 });
        ReadOnlySpan<byte> prefix = "data: "u8;
        byte one = (byte)'z';
        for (int i = 0; i < prefix.Length; i++)
        {
            var t = new SseTokenizer(prefix.Slice(i, 1), false, state);
            Assert.False(t.TryRead(out _));
        }

        for (int i = 0; i < Size; i++)
        {
            var t = new SseTokenizer(new ReadOnlySpan<byte>(in one), false, state);
            t.TryRead(out _);
        }

        var end = new SseTokenizer("\n\n"u8, true, state);
        Assert.True(end.TryRead(out SseEvent e));
        Assert.Equal(Size, e.Data.Length);
        Assert.True(e.Data.IndexOfAnyExcept(one) < 0);
    }

    [Fact]
    public void HugeLineInOneByteSegments_CostsLinearTime()
    {
        const int Size = 1024 * 1024;
        byte[] input = Encoding.ASCII.GetBytes("event: big\ndata: " + new string('q', Size) + "\r\r");
        ReadOnlySequence<byte> seq = Sequences.BytePerSegment(input);
        using var state = new SseParserState();
        var t = new SseTokenizer(seq, true, state);
        Assert.True(t.TryRead(out SseEvent e));
        Assert.Equal(Size, e.Data.Length);
        Assert.True(e.EventTypeEquals("big"u8));
    }
}
