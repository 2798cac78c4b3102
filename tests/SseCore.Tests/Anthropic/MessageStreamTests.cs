using System.Net;
using System.Text;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Anthropic;

public class MessageStreamTests
{
    [Fact]
    public void Message_ToJson_IsOneLine_EvenWhenAnEventsJsonSpansDataLines()
    {
        string fixture = Encoding.UTF8.GetString(Fixtures.Read("citations.sse"));
        Assert.Contains("\"document_title\":\"Math Facts\",", fixture);
        byte[] split = Encoding.UTF8.GetBytes(fixture.Replace("\"document_title\":\"Math Facts\",", "\"document_title\":\"Math Facts\",\ndata:\r\ndata: "));
        Message m = AnthropicHarness.Accumulate(split);
        Assert.Contains("\n", Assert.IsType<TextBlock>(m.Content[1]).Citations[0].Json);
        string json = m.ToJson();
        Assert.DoesNotContain("\n", json);
        Assert.Equal(AnthropicHarness.Accumulate(Fixtures.Read("citations.sse")).ToJson(), json);
    }

    [Fact]
    public async Task HasStarted_TellsWhetherMessageStartArrived()
    {
        byte[] body = Fixtures.Read("basic_text.sse");
        await using MessageStream stream = MessageStream.Create(new MemoryStream(body));
        Assert.False(stream.HasStarted);
        Assert.True(await stream.MoveNextAsync());
        Assert.True(stream.HasStarted);
        Assert.Equal("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", stream.GetCurrentMessage().Id);
    }

    [Fact]
    public async Task ErrorResponse_BodyIsReadOnlyUpToACap()
    {
        var body = new CountingStream(Encoding.ASCII.GetBytes(new string('x', 10 * 1024 * 1024)));
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StreamContent(body) };
        AnthropicApiException ex = await Assert.ThrowsAsync<AnthropicApiException>(() => MessageStream.FromResponseAsync(response));
        Assert.Equal(502, ex.StatusCode);
        Assert.StartsWith("HTTP 502: xxx", ex.ErrorMessage);
        Assert.True(body.BytesRead <= 128 * 1024, $"read {body.BytesRead} bytes of a 10 MiB error body");
    }

    [Theory]
    [InlineData(429, "rate_limit_error")]
    [InlineData(529, "overloaded_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(503, "api_error")]
    [InlineData(418, "invalid_request_error")]
    public async Task ErrorResponse_WithoutAnErrorBody_IsTypedByItsStatus(int status, string type)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("<html>busy</html>") };
        AnthropicApiException ex = await Assert.ThrowsAsync<AnthropicApiException>(() => MessageStream.FromResponseAsync(response));
        Assert.Equal(type, ex.ErrorType.Value);
        Assert.Equal(status, ex.StatusCode);
    }

    [Fact]
    public async Task ErrorResponse_WithInvalidUtf8_IsStillAnApiException()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes("{\"type\":\"error\",\"error\":{\"type\":\"over"), 0xFF, .. Encoding.UTF8.GetBytes("\",\"message\":\"x\"}}")];
        using var response = new HttpResponseMessage((HttpStatusCode)529) { Content = new ByteArrayContent(body) };
        AnthropicApiException ex = await Assert.ThrowsAsync<AnthropicApiException>(() => MessageStream.FromResponseAsync(response));
        Assert.Equal(ErrorTypeKind.OverloadedError, ex.ErrorType.Kind);
    }

    [Fact]
    public async Task LimitExceeded_IsAnInterruptionThatSaysSo()
    {
        byte[] body = Encoding.ASCII.GetBytes("event: message_start\ndata: " + new string(' ', 200) + "{}\n\n");
        await using MessageStream stream = MessageStream.Create(new MemoryStream(body), new SseParserOptions { MaxLineLength = 100 });
        AnthropicStreamInterruptedException ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.MoveNextAsync().AsTask());
        Assert.IsType<SseLimitExceededException>(ex.InnerException);
        Assert.Contains("exceeded a limit", ex.Message);
        Assert.Null(ex.PartialMessage);
        Assert.Equal(MessageStreamOutcome.Interrupted, stream.Outcome);
    }

    private const string Start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\",\"role\":\"assistant\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n";
    private const string TextStart = "event: content_block_start\ndata: {\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n";

    [Fact]
    public async Task AHugeIndex_IsAProtocolError_NotAHugeAllocation()
    {
        byte[] body = Encoding.UTF8.GetBytes(Start + TextStart + "event: content_block_delta\ndata: {\"index\":200000000,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n");
        await using MessageStream stream = MessageStream.Create(new MemoryStream(body));
        long before = GC.GetAllocatedBytesForCurrentThread();
        AnthropicProtocolException ex = await Assert.ThrowsAsync<AnthropicProtocolException>(() => stream.GetFinalMessageAsync());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
        Assert.Equal("content_block_delta", ex.EventType);
        Assert.Equal(4, ex.EventNumber);
        Assert.Contains("index 200000000", ex.Message);
        Assert.Equal("Hi", ex.PartialMessage!.GetText());
        Assert.Equal(MessageStreamOutcome.ProtocolError, stream.Outcome);
    }

    [Fact]
    public async Task DeeplyNestedAndInvalidUtf8RawJson_IsKept_NeverAnUntypedException()
    {
        string deep = new string('[', 70) + new string(']', 70);
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(Start + TextStart
            + "event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"char_location\",\"deep\":" + deep + "}}}\n\n"
            + "event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"bad"));
        bytes.Add(0xFF);
        bytes.AddRange(Encoding.UTF8.GetBytes("\"}}}\n\n"
            + "event: content_block_start\ndata: {\"index\":1,\"content_block\":{\"type\":\"web_search_tool_result\",\"content\":" + deep + "}}\n\n"
            + "event: message_stop\ndata: {}\n\n"));
        await using MessageStream stream = MessageStream.Create(new MemoryStream(bytes.ToArray()));
        Message m = await stream.GetFinalMessageAsync();
        IReadOnlyList<Citation> citations = Assert.IsType<TextBlock>(m.Content[0]).Citations;
        Assert.Equal("char_location", citations[0].Type);
        Assert.Equal("bad\uFFFD", citations[1].Type);
        Assert.Contains(deep, m.ToJson());
    }

    [Fact]
    public async Task AfterMessageStop_TheFinalMessageDoesNotWaitForTheEndOfTheBody_AndALaterErrorIsNotAFailure()
    {
        var pipe = new System.IO.Pipelines.Pipe();
        await pipe.Writer.WriteAsync(Fixtures.Read("basic_text.sse"));

        // The writer stays open, as a proxy that keeps the body open would.
        await using MessageStream stream = MessageStream.Create(pipe.Reader);
        Message m = await stream.GetFinalMessageAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("Hello!", m.GetText());
        Assert.Equal(MessageStreamOutcome.Completed, stream.Outcome);

        var raw = MessageStream.Create(new MemoryStream(Fixtures.Read("basic_text.sse").Concat(Encoding.ASCII.GetBytes("data: [DONE]\n\n")).ToArray()));
        var kinds = new List<AnthropicEventKind>();
        while (await raw.MoveNextAsync())
        {
            kinds.Add(raw.CurrentKind);
        }

        Assert.Equal(AnthropicEventKind.Unknown, kinds[^1]);
        Assert.Equal(MessageStreamOutcome.Completed, raw.Outcome);

        var failing = MessageStream.Create(new FailAfterStream(Fixtures.Read("basic_text.sse")));
        while (await failing.MoveNextAsync())
        {
        }

        Assert.Equal(MessageStreamOutcome.Completed, failing.Outcome);
        Assert.Equal("Hello!", (await failing.GetFinalMessageAsync()).GetText());
    }

    [Fact]
    public async Task GetFinalMessage_ThatFailsOnAProtocolError_LeavesNoCurrentEvent_AsMoveNextDoes()
    {
        // A text delta, then a malformed one in the same read: GetFinalMessageAsync takes both from
        // the held buffer. Like MoveNextAsync, it must not leave the event before the bad one (or
        // the bad one) current.
        string body = Encoding.UTF8.GetString(Fixtures.Read("basic_text.sse"));
        string bad = body.Replace("\"text\": \"!\"", "\"text\": !");
        Assert.NotEqual(body, bad);
        foreach (bool final in new[] { true, false })
        {
            using MessageStream stream = MessageStream.Create(new MemoryStream(Encoding.UTF8.GetBytes(bad)));
            await Assert.ThrowsAsync<AnthropicProtocolException>(async () =>
            {
                if (final)
                {
                    await stream.GetFinalMessageAsync();
                }
                else
                {
                    while (await stream.MoveNextAsync())
                    {
                    }
                }
            });
            Assert.Equal(MessageStreamOutcome.ProtocolError, stream.Outcome);
            Assert.Throws<InvalidOperationException>(() => { _ = stream.CurrentSseEvent; });
            Assert.True(stream.CurrentText.IsEmpty);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-1)]
    public async Task GetFinalMessage_ThatFailsOnAnErrorEvent_LeavesItCurrent_AsMoveNextDoes(int movesFirst)
    {
        // The error event comes in the same read as the events before and after it, so
        // GetFinalMessageAsync takes it from the held buffer; after some MoveNextAsync calls too
        // (-1: MoveNextAsync all the way). The failure leaves the error event current, whole.
        const string error = """{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}""";
        string body = Encoding.UTF8.GetString(Fixtures.Read("basic_text.sse"));
        int at = body.IndexOf("event: content_block_stop", StringComparison.Ordinal);
        string failing = body.Insert(at, "event: error\ndata: " + error + "\n\n");
        using MessageStream stream = MessageStream.Create(new MemoryStream(Encoding.UTF8.GetBytes(failing)));
        AnthropicApiException ex = await Assert.ThrowsAsync<AnthropicApiException>(async () =>
        {
            for (int i = 0; movesFirst < 0 || i < movesFirst; i++)
            {
                Assert.True(await stream.MoveNextAsync());
            }

            await stream.GetFinalMessageAsync();
        });

        Assert.Equal("Overloaded", ex.ErrorMessage);
        Assert.Equal("Hello!", ex.PartialMessage!.GetText());
        Assert.Equal(AnthropicEventKind.Error, stream.CurrentKind);
        Assert.Equal(AnthropicEventKind.Error, stream.Current.Kind);
        SseEvent current = stream.CurrentSseEvent;
        Assert.Equal("error", current.GetEventTypeString());
        Assert.Equal(error, current.GetDataString());
    }

    [Fact]
    public async Task GetFinalMessage_ThatExceedsALimit_AfterATextDelta_HasNoCurrentText()
    {
        // The line after the first text delta is too long: the read fails right after a text
        // delta was accepted from the same buffer. CurrentText is then empty, not a throw.
        string body = Encoding.UTF8.GetString(Fixtures.Read("basic_text.sse"));
        int at = body.IndexOf("\"text\": \"Hello\"", StringComparison.Ordinal);
        int next = body.IndexOf("\n\n", at, StringComparison.Ordinal) + 2;
        string tripped = body.Insert(next, ": " + new string('k', 2000) + "\n");
        using MessageStream stream = MessageStream.Create(new MemoryStream(Encoding.UTF8.GetBytes(tripped)), new SseParserOptions { MaxLineLength = 1024 });
        AnthropicStreamInterruptedException ex = await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync());
        Assert.IsType<SseLimitExceededException>(ex.InnerException);
        Assert.Equal("Hello", ex.PartialMessage!.GetText());
        Assert.True(stream.CurrentText.IsEmpty);
        Assert.Throws<InvalidOperationException>(() => { _ = stream.CurrentSseEvent; });
    }

    [Fact]
    public async Task GetFinalMessage_AfterDispose_FailsAsARead_AsMoveNextDoes()
    {
        // Disposed before reading: a read fails with ObjectDisposedException, which the stream
        // reports as an interruption (Outcome Interrupted), from MoveNextAsync and GetFinalMessageAsync alike.
        foreach (bool final in new[] { false, true })
        {
            MessageStream stream = MessageStream.Create(new MemoryStream(Fixtures.Read("basic_text.sse")));
            stream.Dispose();
            AnthropicStreamInterruptedException ex = final
                ? await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(() => stream.GetFinalMessageAsync())
                : await Assert.ThrowsAsync<AnthropicStreamInterruptedException>(async () => await stream.MoveNextAsync());
            Assert.IsType<ObjectDisposedException>(ex.InnerException);
            Assert.Equal(MessageStreamOutcome.Interrupted, stream.Outcome);
        }
    }

    private sealed class FailAfterStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => Position < Length ? base.Read(buffer, offset, count) : throw new IOException("Connection reset by peer");

        public override int Read(Span<byte> buffer) => Position < Length ? base.Read(buffer) : throw new IOException("Connection reset by peer");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));
    }

    private sealed class CountingStream(byte[] data) : MemoryStream(data)
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = base.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            int n = base.Read(buffer);
            BytesRead += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(Read(buffer.Span));
    }
}
