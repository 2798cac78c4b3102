using System.Diagnostics;
using System.Text;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>
/// Broken and cancelled streams over a real socket: the connection is reset inside a data line or
/// inside a UTF-8 character, or the client cancels while the server stalls. Each must end in
/// <see cref="AnthropicStreamInterruptedException"/> whose partial message holds exactly the
/// events fully received (computed from the bytes sent by <see cref="RefMessage"/>).
/// </summary>
public class SocketInterruptionTests(LoopbackFixture loopback) : IClassFixture<LoopbackFixture>
{
    private static readonly string[] CutFixtures =
    [
        "basic_text_cr.sse", "basic_text_crlf.sse", "citations.sse", "extended_thinking.sse",
        "interleaved_blocks.sse", "tool_use_recorded.sse", "web_search_server_tool_use.sse",
    ];

    /// <summary>How the client reads: the final message, the string text stream, or the UTF-8 text tier.</summary>
    public enum ReadMode
    {
        FinalMessage,
        TextStream,
        Utf8Text,
    }

    public static TheoryData<string, int, ReadMode> CutsInsideDataLines()
    {
        var data = new TheoryData<string, int, ReadMode>();
        int n = 0;
        foreach (string fixture in CutFixtures)
        {
            List<(int Start, int End)> lines = Bodies.DataLines(Fixtures.Read(fixture));
            var random = new Random(fixture.Length * 31);
            for (int k = 0; k < 2; k++)
            {
                // Never the first line here (a cut there is its own case), any line after it.
                (int start, int end) = lines[random.Next(1, lines.Count)];
                data.Add(fixture, random.Next(start + 1, end), (ReadMode)(n++ % 3));
            }
        }

        // Inside "data:" itself, and in the last data line (message_stop's).
        data.Add("tool_use.sse", Bodies.DataLines(Fixtures.Read("tool_use.sse"))[3].Start + 3, ReadMode.TextStream);
        data.Add("tool_use.sse", Bodies.DataLines(Fixtures.Read("tool_use.sse"))[^1].End - 1, ReadMode.Utf8Text);
        return data;
    }

    public static TheoryData<string, int, ReadMode> CutsInsideUtf8Characters()
    {
        var data = new TheoryData<string, int, ReadMode>();
        int n = 0;
        foreach (int cut in Bodies.InsideUtf8Characters(Bodies.NonAscii))
        {
            data.Add("composed", cut, (ReadMode)(n++ % 3));
        }

        foreach (int cut in Bodies.InsideUtf8Characters(Fixtures.Read("web_search_server_tool_use.sse")))
        {
            data.Add("web_search_server_tool_use.sse", cut, (ReadMode)(n++ % 3));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CutsInsideDataLines))]
    public async Task ResetInsideADataLine_Interrupted_WithTheEventsFullyReceived(string fixture, int cut, ReadMode mode) =>
        await AssertResetAsync(Fixtures.Read(fixture), cut, mode);

    [Theory]
    [MemberData(nameof(CutsInsideUtf8Characters))]
    public async Task ResetInsideAUtf8Character_Interrupted_WithTheEventsFullyReceived(string fixture, int cut, ReadMode mode)
    {
        byte[] body = fixture == "composed" ? Bodies.NonAscii : Fixtures.Read(fixture);
        Assert.Equal(0x80, body[cut] & 0xC0);
        await AssertResetAsync(body, cut, mode);
    }

    [Fact]
    public async Task ResetInsideTheFirstDataLine_Interrupted_WithNoPartialMessage()
    {
        byte[] body = Fixtures.Read("basic_text.sse");
        int cut = Bodies.DataLines(body)[0].Start + 40;
        AnthropicStreamInterruptedException ex = await AssertResetAsync(body, cut, ReadMode.FinalMessage);
        Assert.Null(ex.PartialMessage);
    }

    [Fact]
    public async Task ResetInsideTheLastTextDelta_TextStreamShowsEveryEarlierDelta_ThenThrows()
    {
        byte[] body = Bodies.NonAscii;
        int cut = Bodies.IndexOf(body, " done") + 2;
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenAbortAsync(ctx, body, cut, seed: 4));
        var seen = new List<string>();
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(async () =>
        {
            await foreach (string delta in stream.GetTextStreamAsync().WithCancellation(CancellationToken.None))
            {
                seen.Add(delta);
            }
        }).WaitAsync(LoopbackFixture.Guard);
        Assert.Equal(["Grüße", " 世界", " été 🎉"], seen);
        Assert.Equal("Grüße 世界 été 🎉", ex.PartialMessage!.GetText());
        Assert.False(ex.PartialMessage.Content[0].IsComplete);
        Assert.Null(ex.PartialMessage.StopReason);
    }

    [Fact]
    public async Task CancelWhileTheServerStalls_MoveNext_InterruptedAsCancellation_Promptly()
    {
        (byte[] head, RefMessage expected) = StalledHead("tool_use.sse", events: 9);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenStallAsync(ctx, head, seed: 2));
        for (int i = 0; i < expected.EventCount; i++)
        {
            Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        }

        using var cts = new CancellationTokenSource();
        cts.CancelAfter(100);
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.MoveNextAsync(cts.Token).AsTask().WaitAsync(LoopbackFixture.Guard));
        AssertCancelled(ex, clock, stream, expected);
        Assert.Same(ex, await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard)));
    }

    [Fact]
    public async Task CancelWhileTheServerStalls_GetFinalMessage_InterruptedAsCancellation_Promptly()
    {
        (byte[] head, RefMessage expected) = StalledHead("extended_thinking.sse", events: 6);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenStallAsync(ctx, head, seed: 3));
        for (int i = 0; i < expected.EventCount; i++)
        {
            Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(LoopbackFixture.Guard));
        }

        using var cts = new CancellationTokenSource();
        cts.CancelAfter(100);
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync(cts.Token).WaitAsync(LoopbackFixture.Guard));
        AssertCancelled(ex, clock, stream, expected);
    }

    [Fact]
    public async Task CancelWhileTheServerStalls_TextStream_InterruptedAsCancellation_Promptly()
    {
        (byte[] head, RefMessage expected) = StalledHead("tool_use_recorded.sse", events: 9);
        string wanted = expected.DeltaText.ToString();
        Assert.NotEmpty(wanted);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenStallAsync(ctx, head, seed: 4));
        using var cts = new CancellationTokenSource();
        var text = new StringBuilder();
        Stopwatch? clock = null;
        var ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(async () =>
        {
            await foreach (string delta in stream.GetTextStreamAsync(cts.Token))
            {
                text.Append(delta);
                if (text.ToString() == wanted)
                {
                    // Every delta the server sent is in: cancel while waiting for the next.
                    cts.CancelAfter(50);
                    clock = Stopwatch.StartNew();
                }
            }
        }).WaitAsync(LoopbackFixture.Guard);
        Assert.Equal(wanted, text.ToString());
        AssertCancelled(ex, clock!, stream, expected);
    }

    [Fact]
    public async Task AfterAReset_GetFinalMessage_DoesNotPassThePartialMessageOffAsFinal()
    {
        byte[] body = Fixtures.Read("tool_use.sse");
        int cut = Bodies.IndexOf(body, "\"text\":\" Francisco\"") + 10;
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenAbortAsync(ctx, body, cut, seed: 6));
        var first = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal("Okay, let's check the weather for San", first.PartialMessage!.GetText());

        // A caller that retries, or another layer that asks for the final message, must not get
        // the cut message back as if it were whole (no message_stop, no stop_reason).
        var again = await Assert.ThrowsAnyAsync<AnthropicException>(() => stream.GetFinalMessageAsync().WaitAsync(LoopbackFixture.Guard));
        Assert.Equal("Okay, let's check the weather for San", again.PartialMessage!.GetText());
    }

    [Fact]
    public async Task AfterAReset_ASecondTextStream_DoesNotEndAsIfTheAnswerWereWhole()
    {
        byte[] body = Fixtures.Read("tool_use.sse");
        int cut = Bodies.IndexOf(body, "\"text\":\" Francisco\"") + 10;
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenAbortAsync(ctx, body, cut, seed: 7));
        var text = new StringBuilder();
        await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(async () =>
        {
            await foreach (string delta in stream.GetTextStreamAsync())
            {
                text.Append(delta);
            }
        }).WaitAsync(LoopbackFixture.Guard);
        Assert.Equal("Okay, let's check the weather for San", text.ToString());

        // The stream is broken: a text consumer that starts now (a retry loop, a second reader of
        // the same stream) must hear about it, not see an empty answer end normally — the very
        // mistake the text stream's Truncated exception exists to prevent.
        await Assert.ThrowsAnyAsync<AnthropicException>(async () =>
        {
            await foreach (string delta in stream.GetTextStreamAsync())
            {
                Assert.Fail($"a broken stream yielded '{delta}'");
            }
        }).WaitAsync(LoopbackFixture.Guard);
    }

    private async Task<AnthropicStreamInterruptedException> AssertResetAsync(byte[] body, int cut, ReadMode mode)
    {
        RefMessage expected = RefMessage.FoldBytes(body[..cut]);
        Assert.False(expected.Complete);
        await using MessageStream stream = await loopback.OpenAsync(ctx => LoopbackFixture.ServeThenAbortAsync(ctx, body, cut, seed: cut));
        var text = new List<byte>();
        AnthropicStreamInterruptedException ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(async () =>
        {
            switch (mode)
            {
                case ReadMode.FinalMessage:
                    await stream.GetFinalMessageAsync();
                    break;
                case ReadMode.TextStream:
                    await foreach (string delta in stream.GetTextStreamAsync())
                    {
                        text.AddRange(Encoding.UTF8.GetBytes(delta));
                    }

                    break;
                default:
                    while (await stream.MoveNextTextAsync())
                    {
                        text.AddRange(stream.CurrentText.ToArray());
                    }

                    break;
            }
        }).WaitAsync(LoopbackFixture.Guard);

        Assert.False(ex.IsCancellation);
        Assert.True(ex.InnerException is IOException or HttpRequestException, $"cause: {ex.InnerException}");
        Assert.Equal(MessageStreamOutcome.Interrupted, stream.Outcome);
        if (mode != ReadMode.FinalMessage)
        {
            Assert.Equal(expected.DeltaText.ToString(), Encoding.UTF8.GetString(text.ToArray()));
        }

        if (expected.Started)
        {
            RefAssert.Matches(expected, ex.PartialMessage);
        }
        else
        {
            Assert.Null(ex.PartialMessage);
        }

        return ex;
    }

    /// <summary>The first <paramref name="events"/> events of a fixture and their fold.</summary>
    private static (byte[] Head, RefMessage Expected) StalledHead(string fixture, int events)
    {
        byte[] head = Bodies.Join(Bodies.SplitEvents(Fixtures.Read(fixture)).Take(events));
        RefMessage expected = RefMessage.FoldBytes(head);
        Assert.Equal(events, expected.EventCount);
        return (head, expected);
    }

    private static void AssertCancelled(AnthropicStreamInterruptedException ex, Stopwatch clock, MessageStream stream, RefMessage expected)
    {
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {clock.Elapsed}");
        Assert.True(ex.IsCancellation, $"cause: {ex.InnerException}");
        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
        Assert.Equal(MessageStreamOutcome.Interrupted, stream.Outcome);
        RefAssert.Matches(expected, ex.PartialMessage);
    }
}
