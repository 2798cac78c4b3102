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
/// SseCore against the official Anthropic C# SDK (NuGet <c>Anthropic</c> 13.12.0), from a whole
/// Messages stream (<see cref="Payloads.Stream"/>, 1 MiB, LF) to what an application uses: the
/// text deltas, event by event (category <c>Text</c>), or the final message (category
/// <c>Message</c>). The SDK reads the same bytes through its own streaming API: an
/// <see cref="System.Net.Http.HttpMessageHandler"/> answers its request with them (no network).
/// The ratios are against the SDK of the same category. 1 MiB only: the SDK allocates about
/// 5 KB per event, so 64 MiB would cost it gigabytes and seconds per operation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[SteadyStateWarmup]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AnthropicDecodeBenchmarks
{
    private const string Text = "Text";
    private const string Final = "Message";

    private MessagePayload _payload = null!;
    private MemoryStream _stream = null!;
    private Sdk.AnthropicClient _sdk = null!;

    [GlobalSetup]
    public void Setup()
    {
        _payload = Payloads.Stream(StreamSize.MiB1, LineEnding.LF);
        _stream = new MemoryStream(_payload.Sse.Bytes, writable: false);
        _sdk = MessageWorkloads.CreateSdkClient(_payload.Sse.Bytes);

        // Every benchmark as timed: the text delta count and length (bytes or chars), or the whole message.
        MessageExpected expected = _payload.Message;
        Verify.Text(nameof(SseCore_MessageStream_Utf8Text), SseCore_MessageStream_Utf8Text(), expected, utf16: false);
        Verify.Text(nameof(SseCore_MessageStream_StringText), SseCore_MessageStream_StringText(), expected, utf16: true);
        Verify.Text(nameof(Sdk_CreateStreaming_TryPickText), Sdk_CreateStreaming_TryPickText(), expected, utf16: true);
        Verify.FinalMessage(nameof(SseCore_Accumulator_Span), SseCore_Accumulator_Span(), expected);
        Verify.FinalMessage(nameof(SseCore_MessageStream_FinalMessage), SseCore_MessageStream_FinalMessage(), expected);
        Verify.FinalMessage(nameof(Sdk_CreateStreaming_Aggregate), Sdk_CreateStreaming_Aggregate(), expected);

        // The same text loops, keeping the text: the whole text, character for character.
        Verify.Text(nameof(SseCore_MessageStream_Utf8Text), MessageWorkloads.MessageStreamUtf8Async(Rewound(), new CollectingSink()), expected);
        Verify.Text(nameof(SseCore_MessageStream_StringText), MessageWorkloads.MessageStreamStringsAsync(Rewound(), new CollectingSink()), expected);
        Verify.Text(nameof(Sdk_CreateStreaming_TryPickText), MessageWorkloads.SdkTextAsync(_sdk, MessageWorkloads.SdkRequest, new CollectingSink()), expected);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stream.Dispose();
        _sdk.Dispose();
    }

    /// <summary><see cref="MessageStream.MoveNextTextAsync"/> and <see cref="MessageStream.CurrentText"/> (UTF-8); the stream accumulates the message as it goes.</summary>
    [Benchmark]
    [BenchmarkCategory(Text)]
    public Task<CountingSink> SseCore_MessageStream_Utf8Text() => MessageWorkloads.MessageStreamUtf8Async(Rewound(), default(CountingSink));

    /// <summary><see cref="MessageStream.GetTextStreamAsync"/>: a string per delta.</summary>
    [Benchmark]
    [BenchmarkCategory(Text)]
    public Task<CountingSink> SseCore_MessageStream_StringText() => MessageWorkloads.MessageStreamStringsAsync(Rewound(), default(CountingSink));

    /// <summary>The SDK event by event: <c>CreateStreaming</c>, <c>TryPickContentBlockDelta</c>, <c>Delta.TryPickText</c>.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Text)]
    public Task<CountingSink> Sdk_CreateStreaming_TryPickText() => MessageWorkloads.SdkTextAsync(_sdk, MessageWorkloads.SdkRequest, default(CountingSink));

    /// <summary>The tokenizer over one span, <see cref="AnthropicEventDecoder.Decode"/> and <see cref="MessageAccumulator.Apply"/> on every event, then the message.</summary>
    [Benchmark]
    [BenchmarkCategory(Final)]
    public Message SseCore_Accumulator_Span() => MessageWorkloads.AccumulateSpan(_payload.Sse.Bytes);

    /// <summary><see cref="MessageStream"/> over a <see cref="MemoryStream"/>, <see cref="MessageStream.GetFinalMessageAsync"/>.</summary>
    [Benchmark]
    [BenchmarkCategory(Final)]
    public Task<Message> SseCore_MessageStream_FinalMessage() => MessageWorkloads.MessageStreamFinalAsync(Rewound());

    /// <summary>The SDK's own accumulation: <c>CreateStreaming(...).Aggregate()</c>.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Final)]
    public Task<SdkMessages.Message> Sdk_CreateStreaming_Aggregate() => MessageWorkloads.SdkAggregateAsync(_sdk, MessageWorkloads.SdkRequest);

    internal static long EventsPerOperation(BenchmarkCase benchmarkCase) =>
        Payloads.Stream(StreamSize.MiB1, LineEnding.LF).Sse.Expected.Events;

    private MemoryStream Rewound()
    {
        _stream.Position = 0;
        return _stream;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(PerUnitColumn.PerEvent(EventsPerOperation));
    }
}
