using System;
using System.Buffers;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Anthropic;
using NetSse = System.Net.ServerSentEvents;
using Sdk = global::Anthropic;
using SdkMessages = global::Anthropic.Models.Messages;

namespace SseCore.Benchmarks;

/// <summary>What a text-streaming benchmark computes: the text deltas it saw and their total length.</summary>
/// <param name="TextDeltas">The <c>text_delta</c> events whose text the consumer received.</param>
/// <param name="TextLength">Their total length: UTF-8 bytes where the text came as UTF-8, UTF-16 chars where it came as strings.</param>
public readonly record struct TextTally(long TextDeltas, long TextLength);

/// <summary>What a decoding benchmark computes: events, and the text and tool-input fragments with their lengths (UTF-8 bytes or UTF-16 chars).</summary>
public readonly record struct DecodeTally(long Events, long TextDeltas, long TextLength, long JsonDeltas, long JsonLength);

/// <summary>Where a decoding loop hands each event and each delta's text or <c>partial_json</c>, unescaped.</summary>
internal interface ITextSink
{
    void Event();

    void Add(ReadOnlySpan<byte> utf8);

    void Add(string text);

    void AddJson(ReadOnlySpan<byte> utf8);

    void AddJson(string json);
}

/// <summary>The timed sink: counts events and deltas and adds up their lengths, nothing else.</summary>
public struct CountingSink : ITextSink
{
    public long Events;
    public long Deltas;
    public long Length;
    public long JsonDeltas;
    public long JsonLength;

    public readonly TextTally Tally => new(Deltas, Length);

    public readonly DecodeTally DecodeTally => new(Events, Deltas, Length, JsonDeltas, JsonLength);

    public void Event() => Events++;

    public void Add(ReadOnlySpan<byte> utf8)
    {
        Deltas++;
        Length += utf8.Length;
    }

    public void Add(string text)
    {
        Deltas++;
        Length += text.Length;
    }

    public void AddJson(ReadOnlySpan<byte> utf8)
    {
        JsonDeltas++;
        JsonLength += utf8.Length;
    }

    public void AddJson(string json)
    {
        JsonDeltas++;
        JsonLength += json.Length;
    }
}

/// <summary>The verification sink: keeps every delta's text and tool-input fragment, to compare them whole after the run (never timed).</summary>
internal sealed class CollectingSink : ITextSink
{
    private readonly ArrayBufferWriter<byte> _utf8 = new();
    private readonly StringBuilder _utf16 = new();
    private readonly ArrayBufferWriter<byte> _jsonUtf8 = new();
    private readonly StringBuilder _jsonUtf16 = new();

    public long Deltas { get; private set; }

    public string Text => _utf8.WrittenCount > 0 ? Encoding.UTF8.GetString(_utf8.WrittenSpan) + _utf16 : _utf16.ToString();

    /// <summary>Every <c>partial_json</c> fragment, joined.</summary>
    public string Json => _jsonUtf8.WrittenCount > 0 ? Encoding.UTF8.GetString(_jsonUtf8.WrittenSpan) + _jsonUtf16 : _jsonUtf16.ToString();

    public void Event()
    {
    }

    public void Add(ReadOnlySpan<byte> utf8)
    {
        Deltas++;
        _utf8.Write(utf8);
    }

    public void Add(string text)
    {
        Deltas++;
        _utf16.Append(text);
    }

    public void AddJson(ReadOnlySpan<byte> utf8) => _jsonUtf8.Write(utf8);

    public void AddJson(string json) => _jsonUtf16.Append(json);
}

/// <summary>
/// The measured loops of <see cref="AnthropicDecodeBenchmarks"/>: from the stream's bytes to the
/// text deltas (handed to an <see cref="ITextSink"/>) or to the final message. The text loops are
/// generic over the sink, so the benchmark (a <see cref="CountingSink"/>) and the verification (a
/// <see cref="CollectingSink"/>) run the same source.
/// </summary>
internal static class MessageWorkloads
{
    /// <summary>
    /// SseCore: the tokenizer over one span, <see cref="AnthropicEventDecoder.Decode"/> on every
    /// event, and <see cref="AnthropicEventDecoder.Unescape"/> on each text and <c>partial_json</c>
    /// delta: text as UTF-8.
    /// </summary>
    public static TSink DecodeSpan<TSink>(ReadOnlySpan<byte> stream, TSink sink)
        where TSink : ITextSink
    {
        using var state = new SseParserState();
        var tokenizer = new SseTokenizer(stream, isFinalBlock: true, state);
        var decoder = new AnthropicEventDecoder();

        // One event reused, decoded in place: the hot-loop form (no 1,184-byte copy per event).
        AnthropicEvent e = default;
        while (tokenizer.TryRead(out SseEvent sse))
        {
            decoder.Decode(sse, ref e);
            Consume(decoder, in e, ref sink);
        }

        return sink;
    }

    /// <summary>SseCore: <see cref="SseReader"/> over a <see cref="Stream"/>, then the same decoding as <see cref="DecodeSpan"/>.</summary>
    public static async Task<TSink> DecodeReaderAsync<TSink>(Stream stream, TSink sink)
        where TSink : ITextSink
    {
        await using SseReader reader = SseReader.Create(stream, leaveOpen: true);
        var decoder = new AnthropicEventDecoder();
        while (await reader.MoveNextAsync().ConfigureAwait(false))
        {
            Consume(decoder, decoder.Decode(reader.Current), ref sink);
        }

        return sink;
    }

    private static void Consume<TSink>(AnthropicEventDecoder decoder, in AnthropicEvent e, ref TSink sink)
        where TSink : ITextSink
    {
        sink.Event();
        if (e.Kind == AnthropicEventKind.ContentBlockDelta)
        {
            ref readonly DeltaView delta = ref e.Delta;
            if (delta.Kind == DeltaKind.Text)
            {
                sink.Add(decoder.Unescape(delta.Text));
            }
            else if (delta.Kind == DeltaKind.InputJson)
            {
                sink.AddJson(decoder.Unescape(delta.PartialJson));
            }
        }
    }

    /// <summary>
    /// A floor, not a decoder: the tokenizer over one span and a bare <see cref="Utf8JsonReader"/>
    /// walk over every event's data (every token read, nothing compared or kept), which is the
    /// least a single-pass JSON decoder pays. <see cref="Tally.DataBytes"/> adds up the bytes the
    /// readers consumed.
    /// </summary>
    public static Tally TokenizerJsonWalk(ReadOnlySpan<byte> stream)
    {
        using var state = new SseParserState();
        var tokenizer = new SseTokenizer(stream, isFinalBlock: true, state);
        long events = 0, deltas = 0, bytes = 0;
        while (tokenizer.TryRead(out SseEvent e))
        {
            events++;
            if (e.EventTypeEquals(Workloads.DeltaType))
            {
                deltas++;
            }

            var reader = new Utf8JsonReader(e.Data);
            while (reader.Read())
            {
            }

            bytes += reader.BytesConsumed;
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>SseCore: the tokenizer over one span, every event decoded and applied to a <see cref="MessageAccumulator"/>, then the message.</summary>
    public static Message AccumulateSpan(ReadOnlySpan<byte> stream)
    {
        using var state = new SseParserState();
        var tokenizer = new SseTokenizer(stream, isFinalBlock: true, state);
        var decoder = new AnthropicEventDecoder();

        // Disposed, so its pooled buffers go back to the pool (as MessageStream does); one event
        // reused and decoded in place, as in DecodeSpan.
        using var accumulator = new MessageAccumulator();
        AnthropicEvent e = default;
        while (tokenizer.TryRead(out SseEvent sse))
        {
            decoder.Decode(sse, ref e);
            accumulator.Apply(in e);
        }

        return accumulator.GetMessage();
    }

    /// <summary>SseCore: <see cref="MessageStream"/> over a <see cref="Stream"/>, <see cref="MessageStream.MoveNextTextAsync"/> and <see cref="MessageStream.CurrentText"/> (UTF-8).</summary>
    public static async Task<TSink> MessageStreamUtf8Async<TSink>(Stream stream, TSink sink)
        where TSink : ITextSink
    {
        await using MessageStream messages = MessageStream.Create(stream, leaveOpen: true);
        while (await messages.MoveNextTextAsync().ConfigureAwait(false))
        {
            sink.Add(messages.CurrentText);
        }

        return sink;
    }

    /// <summary>SseCore: <see cref="MessageStream"/> over a <see cref="Stream"/>, <see cref="MessageStream.GetTextStreamAsync"/> (a string per delta).</summary>
    public static async Task<TSink> MessageStreamStringsAsync<TSink>(Stream stream, TSink sink)
        where TSink : ITextSink
    {
        await using MessageStream messages = MessageStream.Create(stream, leaveOpen: true);
        await foreach (string text in messages.GetTextStreamAsync().ConfigureAwait(false))
        {
            sink.Add(text);
        }

        return sink;
    }

    /// <summary>SseCore: <see cref="MessageStream"/> over a <see cref="Stream"/>, <see cref="MessageStream.GetFinalMessageAsync"/>.</summary>
    public static async Task<Message> MessageStreamFinalAsync(Stream stream)
    {
        await using MessageStream messages = MessageStream.Create(stream, leaveOpen: true);
        return await messages.GetFinalMessageAsync().ConfigureAwait(false);
    }

    /// <summary>The Anthropic SDK: <c>Messages.CreateStreaming</c>, <c>TryPickContentBlockDelta</c>, then <c>Delta.TryPickText</c>.</summary>
    public static async Task<TSink> SdkTextAsync<TSink>(Sdk.AnthropicClient client, SdkMessages.MessageCreateParams parameters, TSink sink)
        where TSink : ITextSink
    {
        await foreach (SdkMessages.RawMessageStreamEvent e in client.Messages.CreateStreaming(parameters).ConfigureAwait(false))
        {
            if (e.TryPickContentBlockDelta(out SdkMessages.RawContentBlockDeltaEvent? delta) && delta.Delta.TryPickText(out SdkMessages.TextDelta? text))
            {
                sink.Add(text.Text);
            }
        }

        return sink;
    }

    /// <summary>The Anthropic SDK: <c>Messages.CreateStreaming(...).Aggregate()</c>, its own accumulator, to the final message.</summary>
    public static Task<SdkMessages.Message> SdkAggregateAsync(Sdk.AnthropicClient client, SdkMessages.MessageCreateParams parameters) =>
        Sdk.SseAggregatorExtensions.Aggregate(client.Messages.CreateStreaming(parameters));

    /// <summary>An SDK client whose every request is answered, without a network, by the stream's bytes.</summary>
    public static Sdk.AnthropicClient CreateSdkClient(byte[] body) =>
        new(new Sdk.Core.ClientOptions
        {
            HttpClient = new HttpClient(new EventStreamHandler(body)),
            ApiKey = "sk-ant-benchmark",
            MaxRetries = 0,
        });

    /// <summary>The request the SDK benchmarks send (its body is never read).</summary>
    public static SdkMessages.MessageCreateParams SdkRequest { get; } = new()
    {
        MaxTokens = 64000,
        Messages = [new SdkMessages.UserMessageParam("Write the weather report module.")],
        Model = SdkMessages.Model.ClaudeOpus5_5,
    };

    /// <summary>Answers every request with 200, <c>text/event-stream</c>, and a fresh <see cref="MemoryStream"/> over the same bytes.</summary>
    private sealed class EventStreamHandler(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(new MemoryStream(body, writable: false));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
