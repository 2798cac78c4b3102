using System.IO;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SseCore.Anthropic;
using Sdk = global::Anthropic;
using SdkMessages = global::Anthropic.Models.Messages;

namespace SseCore.Benchmarks;

/// <summary>
/// From a whole Anthropic Messages stream (~1 MiB, LF) to what an application uses: the text
/// deltas (category <c>Text</c>) or the final message (category <c>Message</c>). SseCore's
/// decoder, accumulator and <see cref="MessageStream"/> against the official Anthropic C# SDK
/// (NuGet <c>Anthropic</c> 13.12.0), which is fed the same bytes by an
/// <see cref="System.Net.Http.HttpMessageHandler"/> (no network), and a naive consumer
/// (System.Net.ServerSentEvents' strings plus a <see cref="System.Text.Json.JsonDocument"/> per
/// event). The ratios are against the SDK of the same category. One operation = one whole
/// stream; the ns/event and B/event columns divide by the stream's SSE event count (pings
/// included).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerEventConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AnthropicDecodeBenchmarks
{
    private const string Text = "Text";
    private const string Final = "Message";

    private MessagePayload _payload = null!;
    private MemoryStream _stream = null!;
    private Sdk.AnthropicClient _sdk = null!;

    [ParamsAllValues]
    public MessageShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = Payloads.AnthropicMessage(Shape);
        _stream = new MemoryStream(_payload.Sse.Bytes, writable: false);
        _sdk = MessageWorkloads.CreateSdkClient(_payload.Sse.Bytes);

        // Every benchmark as timed: the text delta count and length (bytes or chars).
        MessageExpected expected = _payload.Message;
        Verify.Same(nameof(SseCore_Tokenizer_Span), SseCore_Tokenizer_Span(), _payload.Sse.Expected);
        Verify.Same(nameof(Floor_Tokenizer_JsonReaderWalk), Floor_Tokenizer_JsonReaderWalk(), _payload.Sse.Expected);
        Verify.Text(nameof(SseCore_Decode_Span), SseCore_Decode_Span(), expected, utf16: false);
        Verify.Text(nameof(SseCore_MessageStream_Utf8Text), SseCore_MessageStream_Utf8Text(), expected, utf16: false);
        Verify.Text(nameof(SseCore_MessageStream_StringText), SseCore_MessageStream_StringText(), expected, utf16: true);
        Verify.Text(nameof(Naive_SseParser_JsonDocument), Naive_SseParser_JsonDocument(), expected, utf16: true);
        Verify.Text(nameof(Sdk_CreateStreaming_TryPickText), Sdk_CreateStreaming_TryPickText(), expected, utf16: true);
        Verify.FinalMessage(nameof(SseCore_Accumulator_Span), SseCore_Accumulator_Span(), expected);
        Verify.FinalMessage(nameof(SseCore_MessageStream_FinalMessage), SseCore_MessageStream_FinalMessage(), expected);
        Verify.FinalMessage(nameof(Sdk_CreateStreaming_Aggregate), Sdk_CreateStreaming_Aggregate(), expected);

        // The same text loops, keeping the text: the whole text, character for character.
        Verify.Text(nameof(SseCore_Decode_Span), MessageWorkloads.DecodeSpan(_payload.Sse.Bytes, new CollectingSink()), expected);
        Verify.Text(nameof(SseCore_MessageStream_Utf8Text), MessageWorkloads.MessageStreamUtf8Async(Rewound(), new CollectingSink()), expected);
        Verify.Text(nameof(SseCore_MessageStream_StringText), MessageWorkloads.MessageStreamStringsAsync(Rewound(), new CollectingSink()), expected);
        Verify.Text(nameof(Naive_SseParser_JsonDocument), MessageWorkloads.NaiveAsync(Rewound(), new CollectingSink()), expected);
        Verify.Text(nameof(Sdk_CreateStreaming_TryPickText), MessageWorkloads.SdkTextAsync(_sdk, MessageWorkloads.SdkRequest, new CollectingSink()), expected);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stream.Dispose();
        _sdk.Dispose();
    }

    /// <summary>The floor: SSE parsing alone (the tokenizer over one span), no JSON.</summary>
    [Benchmark]
    [BenchmarkCategory(Text)]
    public Tally SseCore_Tokenizer_Span() => Workloads.TokenizerSpan(_payload.Sse.Bytes);

    /// <summary>The floor of JSON decoding: the tokenizer plus a bare <see cref="System.Text.Json.Utf8JsonReader"/> walk over each event's data.</summary>
    [Benchmark]
    [BenchmarkCategory(Text)]
    public Tally Floor_Tokenizer_JsonReaderWalk() => MessageWorkloads.TokenizerJsonWalk(_payload.Sse.Bytes);

    [Benchmark]
    [BenchmarkCategory(Text)]
    public TextTally SseCore_Decode_Span() => MessageWorkloads.DecodeSpan(_payload.Sse.Bytes, default(CountingSink)).Tally;

    [Benchmark]
    [BenchmarkCategory(Text)]
    public Task<CountingSink> SseCore_MessageStream_Utf8Text() => MessageWorkloads.MessageStreamUtf8Async(Rewound(), default(CountingSink));

    [Benchmark]
    [BenchmarkCategory(Text)]
    public Task<CountingSink> SseCore_MessageStream_StringText() => MessageWorkloads.MessageStreamStringsAsync(Rewound(), default(CountingSink));

    [Benchmark]
    [BenchmarkCategory(Text)]
    public Task<CountingSink> Naive_SseParser_JsonDocument() => MessageWorkloads.NaiveAsync(Rewound(), default(CountingSink));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Text)]
    public Task<CountingSink> Sdk_CreateStreaming_TryPickText() => MessageWorkloads.SdkTextAsync(_sdk, MessageWorkloads.SdkRequest, default(CountingSink));

    [Benchmark]
    [BenchmarkCategory(Final)]
    public Message SseCore_Accumulator_Span() => MessageWorkloads.AccumulateSpan(_payload.Sse.Bytes);

    [Benchmark]
    [BenchmarkCategory(Final)]
    public Task<Message> SseCore_MessageStream_FinalMessage() => MessageWorkloads.MessageStreamFinalAsync(Rewound());

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Final)]
    public Task<SdkMessages.Message> Sdk_CreateStreaming_Aggregate() => MessageWorkloads.SdkAggregateAsync(_sdk, MessageWorkloads.SdkRequest);

    internal static long EventsPerOperation(BenchmarkCase benchmarkCase) =>
        Payloads.AnthropicMessage((MessageShape)benchmarkCase.Parameters["Shape"]).Sse.Expected.Events;

    private MemoryStream Rewound()
    {
        _stream.Position = 0;
        return _stream;
    }

    private sealed class PerEventConfig : ManualConfig
    {
        public PerEventConfig()
        {
            AddColumn(
                new PerUnitColumn("Events", "Events in one operation (one whole stream)", PerUnitKind.Count, EventsPerOperation),
                new PerUnitColumn("Median ns/event", "Median divided by Events", PerUnitKind.NanosecondsPerUnit, EventsPerOperation),
                new PerUnitColumn("B/event", "Allocated divided by Events", PerUnitKind.BytesPerUnit, EventsPerOperation));
        }
    }
}
