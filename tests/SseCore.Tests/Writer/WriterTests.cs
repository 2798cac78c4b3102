using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Writer;

/// <summary>What <see cref="SseWriter"/> puts on the wire, byte for byte, and what it refuses.</summary>
public class WriterTests
{
    private static string Write(Action<SseWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new SseWriter(buffer));
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Event_DataOnly_IsOneDataLineAndABlankLine()
    {
        Assert.Equal("data: hello\n\n", Write(w => w.WriteEvent("hello"u8)));
        Assert.Equal("data: hello\n\n", Write(w => w.WriteEvent("hello")));
    }

    [Fact]
    public void Event_WithTypeAndId_WritesTheFieldsBeforeTheData()
    {
        Assert.Equal("event: delta\nid: 42\ndata: {\"a\":1}\n\n", Write(w => w.WriteEvent("{\"a\":1}"u8, "delta"u8, "42"u8)));
        Assert.Equal("event: delta\nid: 42\ndata: {\"a\":1}\n\n", Write(w => w.WriteEvent("{\"a\":1}", "delta", "42")));
    }

    [Fact]
    public void StringOverload_NullIdWritesNoIdField_EmptyIdWritesOne()
    {
        Assert.Equal("data: x\n\n", Write(w => w.WriteEvent("x", null, null)));
        Assert.Equal("event: t\nid:\ndata: x\n\n", Write(w => w.WriteEvent("x", "t", "")));
        Assert.Equal("id: 7\ndata: x\n\n", Write(w => w.WriteEvent("x", id: "7")));
        Assert.Equal(":\n: y\n", Write(w =>
        {
            w.WriteComment((string?)null);
            w.WriteComment(" y");
        }));
        Assert.Throws<ArgumentNullException>("data", () => Write(w => w.WriteEvent((string)null!)));
        Assert.Throws<ArgumentException>("id", () => Write(w => w.WriteEvent("x", "t", "a\0")));
    }

    [Fact]
    public void Event_EmptyType_WritesNoEventField()
    {
        Assert.Equal("data: x\n\n", Write(w => w.WriteEvent("x"u8, ""u8)));
    }

    [Fact]
    public void Event_EmptyId_IsWritten_BecauseItResetsTheLastEventId()
    {
        Assert.Equal("id:\ndata: x\n\n", Write(w => w.WriteEvent("x"u8, default, ""u8)));
    }

    [Fact]
    public void Event_EmptyData_IsAnEmptyDataField_SoTheEventIsStillDispatched()
    {
        Assert.Equal("data:\n\n", Write(w => w.WriteEvent(ReadOnlySpan<byte>.Empty)));
        SseOutcome parsed = SseHarness.ParseWhole("data:\n\n"u8.ToArray());
        Assert.Equal([new SseRecord("message", "", "", null)], parsed.Events);
    }

    [Theory]
    [InlineData("a\nb", "data: a\ndata: b\n\n")]
    [InlineData("a\r\nb", "data: a\ndata: b\n\n")]
    [InlineData("a\rb", "data: a\ndata: b\n\n")]
    [InlineData("a\n\rb", "data: a\ndata:\ndata: b\n\n")]
    [InlineData("a\r\rb", "data: a\ndata:\ndata: b\n\n")]
    [InlineData("a\n", "data: a\ndata:\n\n")]
    [InlineData("\n", "data:\ndata:\n\n")]
    [InlineData("a\r", "data: a\ndata:\n\n")]
    public void Data_IsSplitAtCrLfAndCrlf_AsAParserSplitsIt(string data, string expected)
    {
        Assert.Equal(expected, Write(w => w.WriteEvent(Encoding.UTF8.GetBytes(data))));
        Assert.Equal(expected, Write(w => w.WriteEvent(data)));
    }

    [Theory]
    [InlineData(" leading space")]
    [InlineData("  two spaces")]
    [InlineData(":looks like a comment")]
    [InlineData("data: nested field")]
    [InlineData("\uFEFFbom first")]
    [InlineData("tab\tand\0nul")]
    public void Data_ThatLooksLikeSyntax_ComesBackExactly(string data)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Write(w => w.WriteEvent(data, "t")));
        Assert.Equal([new SseRecord("t", Latin1(data), "", null)], SseHarness.ParseWhole(bytes).Events);
    }

    [Fact]
    public void Data_InvalidUtf8Bytes_ArePassedThrough()
    {
        var buffer = new ArrayBufferWriter<byte>();
        new SseWriter(buffer).WriteEvent(new byte[] { 0xFF, 0xC3, 0x0A, 0x80 });
        Assert.Equal("data: \u00FF\u00C3\ndata: \u0080\n\n", Encoding.Latin1.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Retry_IsDigitsOnly()
    {
        Assert.Equal("retry: 0\nretry: 1500\nretry: 9223372036854775807\n", Write(w =>
        {
            w.WriteRetry(0);
            w.WriteRetry(TimeSpan.FromMilliseconds(1500.9));
            w.WriteRetry(long.MaxValue);
        }));
    }

    [Fact]
    public void Retry_Negative_IsRejected()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SseWriter(buffer);
        Assert.Throws<ArgumentOutOfRangeException>("milliseconds", () => writer.WriteRetry(-1));
        Assert.Throws<ArgumentOutOfRangeException>("milliseconds", () => writer.WriteRetry(TimeSpan.FromSeconds(-1)));
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Comment_IsAColonAndTheTextExactly_OneLinePerLine()
    {
        Assert.Equal(":\n: ping\n:a\n:b\n:\n", Write(w =>
        {
            w.WriteComment();
            w.WriteComment(" ping"u8);
            w.WriteComment("a\r\nb\n");
        }));
    }

    [Fact]
    public void Comment_ReachesTheParsersCommentHook_AndDispatchesNothing()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Write(w =>
        {
            w.WriteComment(" keep-alive");
            w.WriteEvent("x");
        }));
        var comments = new List<string>();
        using var state = new SseParserState { CommentHandler = c => comments.Add(Encoding.UTF8.GetString(c)) };
        var tokenizer = new SseTokenizer(bytes.AsSpan(), true, state);
        Assert.True(tokenizer.TryRead(out SseEvent e));
        Assert.Equal("x", e.GetDataString());
        Assert.False(tokenizer.TryRead(out _));
        Assert.Equal([" keep-alive"], comments);
    }

    public static TheoryData<string, string, string, int> BadFields() => new()
    {
        { "a\nb", "", "eventType", 1 },
        { "\r", "", "eventType", 0 },
        { "ok", "1\n", "id", 1 },
        { "ok", "\r\n", "id", 0 },
        { "ok", "ab\0", "id", 2 },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void FieldThatWouldBreakTheFraming_IsRejected_AndNothingIsWritten(string type, string id, string param, int index)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SseWriter(buffer);
        ArgumentException chars = Assert.Throws<ArgumentException>(param, () => writer.WriteEvent("data", type, id));
        ArgumentException bytes = Assert.Throws<ArgumentException>(param, () => writer.WriteEvent("data"u8, Encoding.UTF8.GetBytes(type), Encoding.UTF8.GetBytes(id)));
        Assert.Contains($"index {index}", chars.Message);
        Assert.Contains($"index {index}", bytes.Message);
        Assert.Contains(id.Contains('\0') ? "NUL" : "CR or LF", chars.Message);
        Assert.Equal(0, buffer.WrittenCount);
    }

    // Built in code: xUnit's test case serialization would turn a lone surrogate in InlineData into U+FFFD.
    [Fact]
    public void UnpairedSurrogate_IsRejected_NotReplaced()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SseWriter(buffer);
        foreach ((string data, string type, string param) in new[] { ("\uD800", "x", "data"), ("x\uDC00", "x", "data"), ("x", "a\uD83D", "eventType") })
        {
            ArgumentException ex = Assert.Throws<ArgumentException>(param, () => writer.WriteEvent(data, type));
            Assert.Contains("unpaired surrogate", ex.Message);
        }

        Assert.Throws<ArgumentException>("id", () => writer.WriteEvent("x", "t", "\uDFFF"));
        Assert.Throws<ArgumentException>("comment", () => writer.WriteComment("\uD800"));
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void SurrogatePairsAndBmpText_AreEncodedAsUtf8()
    {
        Assert.Equal("event: \u00e9\nid: \u4e2d\ndata: \U0001F600\n\n", Write(w => w.WriteEvent("\U0001F600", "\u00e9", "\u4e2d")));
    }

    [Fact]
    public void LargeValues_SpanManyBufferSegments()
    {
        string data = new string('x', 100_000) + "\n" + new string('\u00e9', 50_000);
        var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 16, pauseWriterThreshold: 0));
        var writer = new SseWriter(pipe.Writer);
        writer.WriteEvent(data, "big");
        pipe.Writer.Complete();
        Assert.True(pipe.Reader.TryRead(out ReadResult result));
        SseOutcome parsed = Chunkings.ParseSequence(result.Buffer);
        Assert.Equal([new SseRecord("big", Latin1(data), "", null)], parsed.Events);
    }

    [Fact]
    public async Task Stream_Create_FlushesPerCall_AndDisposeLeavesTheStreamOpenWhenAsked()
    {
        using var stream = new MemoryStream();
        await using (SseWriter writer = SseWriter.Create(stream, leaveOpen: true))
        {
            writer.WriteEvent("a", "t", "1");
            await writer.FlushAsync();
            Assert.Equal("event: t\nid: 1\ndata: a\n\n", Encoding.UTF8.GetString(stream.ToArray()));
            writer.WriteComment();
        }

        Assert.Equal("event: t\nid: 1\ndata: a\n\n:\n", Encoding.UTF8.GetString(stream.ToArray()));
        Assert.True(stream.CanWrite);
    }

    [Fact]
    public async Task Stream_Create_DisposesTheStreamByDefault()
    {
        var stream = new MemoryStream();
        SseWriter writer = SseWriter.Create(stream);
        writer.WriteEvent("a");
        await writer.DisposeAsync();
        Assert.False(stream.CanWrite);
        Assert.Throws<ObjectDisposedException>(() => writer.WriteEvent("b"));
    }

    [Fact]
    public async Task BufferWriter_DisposeLeavesTheDestinationUsable()
    {
        var pipe = new Pipe();
        var writer = new SseWriter(pipe.Writer);
        writer.WriteEvent("a");
        FlushResult flushed = await writer.FlushAsync();
        Assert.False(flushed.IsCompleted);
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.WriteComment());
        await pipe.Writer.WriteAsync("more"u8.ToArray());
        await pipe.Writer.CompleteAsync();
        ReadResult result = await pipe.Reader.ReadAsync();
        Assert.Equal("data: a\n\nmore", Encoding.UTF8.GetString(result.Buffer.ToArray()));
    }

    [Fact]
    public async Task Flush_OfAPlainBufferWriter_CompletesAtOnce()
    {
        var writer = new SseWriter(new ArrayBufferWriter<byte>());
        ValueTask<FlushResult> flush = writer.FlushAsync();
        Assert.True(flush.IsCompletedSuccessfully);
        await flush;
    }

    [Fact]
    public void Null_Destination_IsRejected()
    {
        Assert.Throws<ArgumentNullException>("destination", () => new SseWriter(null!));
        Assert.Throws<ArgumentNullException>("stream", () => SseWriter.Create(null!));
    }

    internal static string Latin1(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
}
