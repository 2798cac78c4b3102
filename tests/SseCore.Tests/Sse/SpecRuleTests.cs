using System.Text;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Sse;

/// <summary>
/// One test per rule of the WHATWG "Parsing an event stream" / "Interpreting an event stream"
/// algorithm, each named after its rule. Every input is also checked under every chunking and
/// against the reference model, so each rule is shown to hold however the bytes arrive.
/// </summary>
public class SpecRuleTests
{
    private static SseRecord Ev(string data, string type = "message", string id = "", long? retry = null) => new(type, data, id, retry);

    private static void Check(string input, SseRecord[] events, string lastEventId = "", long? retry = null) =>
        Check(Encoding.Latin1.GetBytes(input), events, lastEventId, retry);

    private static void Check(byte[] input, SseRecord[] events, string lastEventId = "", long? retry = null)
    {
        var expected = new SseOutcome(events, lastEventId, retry);
        Assert.Equal(expected, WhatwgReference.Parse(input));
        Assert.Equal(expected, SseHarness.ParseWhole(input));
        Chunkings.AssertAllChunkings(input, expected);
    }

    [Fact]
    public void LineEnd_Lf_EndsALine() => Check("data: a\n\n", [Ev("a")]);

    [Fact]
    public void LineEnd_CrLf_EndsALine() => Check("data: a\r\n\r\n", [Ev("a")]);

    [Fact]
    public void LineEnd_LoneCr_EndsALine() => Check("data: a\r\r", [Ev("a")]);

    [Fact]
    public void LineEnd_MixedInOneStream() => Check("data: a\rdata: b\ndata: c\r\n\r\ndata: d\n\r\n", [Ev("a\nb\nc"), Ev("d")]);

    [Theory]
    [InlineData("\n")]
    [InlineData("\r")]
    [InlineData("\r\n")]
    public void LineEnd_FoundAtEveryDistance_AroundTheInlineVectorOf32Bytes(string end)
    {
        // The line-end search compares the first 32 bytes inline and searches on from there:
        // every line length from 0 to 70, each followed by another line so that 32 bytes are there.
        for (int length = 0; length <= 70; length++)
        {
            string value = new string('x', length);
            string tail = new string('y', 40);
            Check($"data:{value}{end}data:{tail}{end}{end}", [Ev(value + "\n" + tail)]);
        }
    }

    [Fact]
    public void LineEnd_LfCr_IsTwoLineEnds() => Check("data: a\n\rdata: b\n\n", [Ev("a"), Ev("b")]);

    [Fact]
    public void LineEnd_CrAtSegmentEnd_LfAtNextSegmentStart_IsOneLineEnd()
    {
        // Given as two buffers and as two segments of one buffer, with empty segments around.
        byte[] input = Encoding.ASCII.GetBytes("data: a\r\ndata: b\r\n\r\n");
        int cut = "data: a\r".Length;
        var expected = new SseOutcome([Ev("a\nb")], "", null);
        Assert.Equal(expected, SseHarness.ParseChunks(SseHarness.CutAt(input, [cut])));
        Assert.Equal(expected, SseHarness.ParseSegments(input, [cut]));
        Assert.Equal(expected, SseHarness.ParseChunks(SseHarness.CutAt(input, [cut, cut]), segmentsPerChunk: 3));
    }

    [Fact]
    public void LineEnd_CrAsLastByteReceived_EndsTheLineNow()
    {
        using var state = new SseParserState();
        var first = new SseTokenizer("data: a\r\r"u8, isFinalBlock: false, state);
        Assert.True(first.TryRead(out SseEvent e));
        Assert.Equal("a", Encoding.ASCII.GetString(e.Data));
        Assert.False(first.TryRead(out _));

        // The LF that completes the CRLF arrives later: it is skipped, not a blank line.
        var second = new SseTokenizer("\ndata: b\n\n"u8, isFinalBlock: true, state);
        Assert.True(second.TryRead(out e));
        Assert.Equal("b", Encoding.ASCII.GetString(e.Data));
        Assert.False(second.TryRead(out _));
    }

    [Fact]
    public void Bom_AtStreamStart_IsSkipped() => Check("\u00EF\u00BB\u00BFdata: a\n\n", [Ev("a")]);

    [Fact]
    public void Bom_SplitAcrossSegments_IsSkipped()
    {
        byte[] input = Encoding.Latin1.GetBytes("\u00EF\u00BB\u00BFdata: a\n\n");
        var expected = new SseOutcome([Ev("a")], "", null);
        Assert.Equal(expected, SseHarness.ParseChunks(SseHarness.CutAt(input, [1, 2])));
        Assert.Equal(expected, SseHarness.ParseSegments(input, [1, 2]));
        Assert.Equal(expected, Chunkings.ParseSequence(Sequences.BytePerSegment(input)));
    }

    [Fact]
    public void Bom_OnlyOneIsSkipped_ASecondIsPartOfTheFieldName() =>
        Check("\u00EF\u00BB\u00BF\u00EF\u00BB\u00BFdata: a\n\ndata: b\n\n", [Ev("b")]);

    [Fact]
    public void Bom_ElsewhereIsData() => Check("data: \u00EF\u00BB\u00BFa\n\n", [Ev("\u00EF\u00BB\u00BFa")]);

    [Fact]
    public void Bom_PrefixThatIsNotABom_IsKeptAsLineContent() => Check("\u00EF\u00BBx: y\ndata: a\n\n\u00EF\n\n", [Ev("a")]);

    [Fact]
    public void Comment_LineStartingWithColon_IsIgnored() => Check(": hello\ndata: a\n:\n\n", [Ev("a")]);

    [Fact]
    public void Comment_IsObservableThroughTheHook()
    {
        var seen = new List<string>();
        using var state = new SseParserState { CommentHandler = c => seen.Add(Encoding.ASCII.GetString(c)) };
        var tokenizer = new SseTokenizer(": keep-alive\n\n:\ndata: a\n\n"u8, true, state);
        Assert.True(tokenizer.TryRead(out _));
        Assert.False(tokenizer.TryRead(out _));
        Assert.Equal([" keep-alive", ""], seen);
    }

    [Fact]
    public void Field_NameIsUpToTheFirstColon_ValueKeepsLaterColons() => Check("data: a:b: c\n\n", [Ev("a:b: c")]);

    [Fact]
    public void Field_OneLeadingSpaceIsRemoved_OnlyOne() => Check("data:  a\n\ndata:b\n\n", [Ev(" a"), Ev("b")]);

    [Fact]
    public void Field_TabIsNotASpace() => Check("data:\ta\n\n", [Ev("\ta")]);

    [Fact]
    public void Field_LineWithoutColon_IsFieldWithEmptyValue() => Check("data\n\n", [Ev("")]);

    [Fact]
    public void Field_NamesAreCaseSensitive() => Check("Data: a\nDATA: b\n\ndata: c\n\n", [Ev("c")]);

    [Fact]
    public void Field_SpaceBeforeColonIsPartOfTheName() => Check("data : a\n\ndata: b\n\n", [Ev("b")]);

    [Fact]
    public void Field_Unknown_IsIgnored() => Check("foo: bar\ndata: a\nbar\n\n", [Ev("a")]);

    [Fact]
    public void Event_SetsTheType() => Check("event: add\ndata: a\n\n", [Ev("a", "add")]);

    [Fact]
    public void Event_LastOneWins() => Check("event: a\nevent: b\ndata: x\n\n", [Ev("x", "b")]);

    [Fact]
    public void Event_Empty_MeansMessage() => Check("event:\ndata: a\n\nevent\ndata: b\n\n", [Ev("a"), Ev("b")]);

    [Fact]
    public void Event_TypeResetsAfterDispatch() => Check("event: add\ndata: a\n\ndata: b\n\n", [Ev("a", "add"), Ev("b")]);

    [Fact]
    public void Event_TypeResetsAfterBlankLineWithoutData() => Check("event: foo\n\ndata: x\n\n", [Ev("x")]);

    [Fact]
    public void Data_LinesAreJoinedByLf() => Check("data: a\ndata: b\ndata\ndata: c\n\n", [Ev("a\nb\n\nc")]);

    [Fact]
    public void Data_OneTrailingLfIsStripped_OnlyOne() => Check("data\ndata\n\n", [Ev("\n")]);

    [Fact]
    public void Data_BytesAreKeptExactly_InvalidUtf8AndNul() => Check("data: \u00FF\u0000\u00C3\n\n", [Ev("\u00FF\u0000\u00C3")]);

    [Fact]
    public void BlankLine_WithoutData_DispatchesNothing() => Check("\n\n\nevent: x\n\nid: 1\n\n", [], "1");

    [Fact]
    public void Id_SetsTheLastEventId_WhichPersists() =>
        Check("id: 1\ndata: a\n\ndata: b\n\n", [Ev("a", id: "1"), Ev("b", id: "1")], "1");

    [Fact]
    public void Id_AppliesToTheEventItIsIn_EvenAfterTheData() => Check("data: a\nid: 7\n\n", [Ev("a", id: "7")], "7");

    [Fact]
    public void Id_ContainingNul_IsIgnored() => Check("id: 1\n\nid: 2\u00003\ndata: a\n\n", [Ev("a", id: "1")], "1");

    [Fact]
    public void Id_Empty_ResetsToEmpty() => Check("id: 1\ndata: a\n\nid\ndata: b\n\nid:\ndata: c\n\n", [Ev("a", id: "1"), Ev("b"), Ev("c")]);

    [Fact]
    public void Id_WithoutBlankLineBeforeEnd_IsNotCommitted() => Check("id: 1\n\nid: 2\ndata: a\n", [], "1");

    [Fact]
    public void Retry_Digits_SetTheReconnectionTime() => Check("retry: 3000\ndata: a\n\n", [Ev("a", retry: 3000)], retry: 3000);

    [Fact]
    public void Retry_AppliesAtOnce_EvenWithoutDispatch() => Check("retry: 10\n", [], retry: 10);

    [Theory]
    [InlineData("7\0")]
    [InlineData("1a")]
    [InlineData(" 1")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("\u0661")]
    public void Retry_NotOnlyDigits_IsIgnored(string value) =>
        Check($"retry: 5\nretry: {value}\ndata: a\n\n", [Ev("a", retry: 5)], retry: 5);

    [Fact]
    public void Retry_LeadingZeros_AreBaseTen() => Check("retry: 03000\n", [], retry: 3000);

    [Fact]
    public void Retry_Overflow_SaturatesWithoutException() =>
        Check("retry: 99999999999999999999999999\ndata: a\n\n", [Ev("a", retry: long.MaxValue)], retry: long.MaxValue);

    [Fact]
    public void Retry_Empty_FieldWithoutColon_IsIgnored() => Check("retry\n", []);

    [Fact]
    public void EndOfStream_UnterminatedEvent_IsDiscarded() => Check("data: a\n\ndata: b\n", [Ev("a")]);

    [Fact]
    public void EndOfStream_UnterminatedLine_IsDiscarded() => Check("data: a\n\ndata: b", [Ev("a")]);

    [Fact]
    public void EndOfStream_EmptyStream_YieldsNothing() => Check("", []);

    [Fact]
    public void Event_OffsetAndOrdinal_AreReported()
    {
        using var state = new SseParserState();
        var t = new SseTokenizer(Encoding.Latin1.GetBytes("\u00EF\u00BB\u00BF: c\ndata: a\n\n\nevent: x\ndata: b\n\n").AsSpan(), true, state);
        Assert.True(t.TryRead(out SseEvent e));
        Assert.Equal(3, e.StreamOffset);
        Assert.Equal(1, e.EventNumber);
        Assert.True(t.TryRead(out e));
        Assert.Equal(17, e.StreamOffset);
        Assert.Equal(2, e.EventNumber);
    }

    [Fact]
    public void Event_OffsetAfterASplitCrLfBlankLine_IsAfterTheLf()
    {
        // Found by the fuzzer: the CR ends the blank line in one buffer, its LF starts the next.
        byte[] input = "data: a\r\n\r\ndata: b\r\n\r\n"u8.ToArray();
        for (int cut = 0; cut <= input.Length; cut++)
        {
            using var state = new SseParserState();
            var offsets = new List<long>();
            IReadOnlyList<byte[]> chunks = SseHarness.CutAt(input, [cut]);
            for (int c = 0; c < chunks.Count; c++)
            {
                var t = new SseTokenizer(chunks[c].AsSpan(), c == chunks.Count - 1, state);
                while (t.TryRead(out SseEvent e))
                {
                    offsets.Add(e.StreamOffset);
                }
            }

            Assert.Equal([0L, 11L], offsets);
        }
    }

    // The spec's own examples (HTML Living Standard, "Event stream interpretation").
    [Fact]
    public void SpecExample_StockTicker_ThreeDataLines() =>
        Check("data: YHOO\ndata: +2\ndata: 10\n\n", [Ev("YHOO\n+2\n10")]);

    [Fact]
    public void SpecExample_FourBlocks_CommentIdsAndLeadingSpace() =>
        Check(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
            [Ev("first event", id: "1"), Ev("second event"), Ev(" third event")]);

    [Fact]
    public void SpecExample_EmptyDataAndNewline_LastBlockDiscarded() =>
        Check("data\n\ndata\ndata\n\ndata:", [Ev(""), Ev("\n")]);

    [Fact]
    public void SpecExample_SpaceAfterColonIsOptional() =>
        Check("data:test\n\ndata: test\n\n", [Ev("test"), Ev("test")]);
}
