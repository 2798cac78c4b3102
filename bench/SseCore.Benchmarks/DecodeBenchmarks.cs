using System.IO;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SseCore.Anthropic;

namespace SseCore.Benchmarks;

/// <summary>
/// Tokenize and decode every event of a whole Anthropic stream (<see cref="Payloads.Stream"/>,
/// LF, 1 or 64 MiB) to structs, handing each text delta's text and each <c>partial_json</c> on,
/// unescaped. SseCore: the tokenizer over one span, or <see cref="SseReader"/> over a
/// <see cref="MemoryStream"/>, then <see cref="AnthropicEventDecoder"/> (text as UTF-8). Peers:
/// System.Net.ServerSentEvents' byte overload over the same <see cref="MemoryStream"/> with a
/// hand-written <see cref="System.Text.Json.Utf8JsonReader"/> decoder (the baseline; text as
/// UTF-8), with <see cref="System.Text.Json.JsonSerializer"/> and a source-generated context
/// (a record per event, text as strings), and with a <see cref="System.Text.Json.JsonDocument"/>
/// per event (text as strings). The floor: the tokenizer plus a bare <c>Utf8JsonReader</c> walk
/// over every event, the least a single-pass decoder pays.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class DecodeBenchmarks
{
    private MessagePayload _payload = null!;
    private MemoryStream _stream = null!;

    [ParamsAllValues]
    public StreamSize Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = Payloads.Stream(Size, LineEnding.LF);
        _stream = new MemoryStream(_payload.Sse.Bytes, writable: false);

        // Every benchmark as timed: events, text deltas, tool-input fragments and their lengths.
        MessagePayload p = _payload;
        MessageExpected m = p.Message;
        Verify.Same(nameof(Floor_Tokenizer_JsonReaderWalk), Floor_Tokenizer_JsonReaderWalk(), p.Sse.Expected);
        Verify.Decoded(nameof(SseCore_Decode_Span), SseCore_Decode_Span(), p, utf16: false);
        Verify.Decoded(nameof(SseCore_Decode_SseReader), SseCore_Decode_SseReader(), p, utf16: false);
        Verify.Decoded(nameof(Peer_SseParser_Utf8JsonReader), Peer_SseParser_Utf8JsonReader(), p, utf16: false);
        Verify.Decoded(nameof(Peer_SseParser_JsonSerializer), Peer_SseParser_JsonSerializer(), p, utf16: true);
        Verify.Decoded(nameof(Peer_SseParser_JsonDocument), Peer_SseParser_JsonDocument(), p, utf16: true);

        // The same loops keeping what they decode: the whole text and tool input, character for character.
        Verify.Decoded(nameof(SseCore_Decode_Span), MessageWorkloads.DecodeSpan(p.Sse.Bytes, new CollectingSink()), m);
        Verify.Decoded(nameof(SseCore_Decode_SseReader), MessageWorkloads.DecodeReaderAsync(Rewound(), new CollectingSink()), m);
        Verify.Decoded(nameof(Peer_SseParser_Utf8JsonReader), DecodePeers.Utf8JsonReader(Rewound(), new CollectingSink()), m);
        Verify.Decoded(nameof(Peer_SseParser_JsonSerializer), DecodePeers.JsonSerializerSourceGen(Rewound(), new CollectingSink()), m);
        Verify.Decoded(nameof(Peer_SseParser_JsonDocument), DecodePeers.JsonDocument(Rewound(), new CollectingSink()), m);
    }

    [GlobalCleanup]
    public void Cleanup() => _stream.Dispose();

    /// <summary>The floor: the tokenizer plus a bare <see cref="System.Text.Json.Utf8JsonReader"/> walk over each event's data (nothing compared or kept).</summary>
    [Benchmark]
    public Tally Floor_Tokenizer_JsonReaderWalk() => MessageWorkloads.TokenizerJsonWalk(_payload.Sse.Bytes);

    [Benchmark]
    public DecodeTally SseCore_Decode_Span() => MessageWorkloads.DecodeSpan(_payload.Sse.Bytes, default(CountingSink)).DecodeTally;

    [Benchmark]
    public Task<CountingSink> SseCore_Decode_SseReader() => MessageWorkloads.DecodeReaderAsync(Rewound(), default(CountingSink));

    [Benchmark(Baseline = true)]
    public DecodeTally Peer_SseParser_Utf8JsonReader() => DecodePeers.Utf8JsonReader(Rewound(), default(CountingSink)).DecodeTally;

    [Benchmark]
    public DecodeTally Peer_SseParser_JsonSerializer() => DecodePeers.JsonSerializerSourceGen(Rewound(), default(CountingSink)).DecodeTally;

    [Benchmark]
    public DecodeTally Peer_SseParser_JsonDocument() => DecodePeers.JsonDocument(Rewound(), default(CountingSink)).DecodeTally;

    internal static long EventsPerOperation(BenchmarkCase benchmarkCase) =>
        Payloads.Stream((StreamSize)benchmarkCase.Parameters["Size"], LineEnding.LF).Sse.Expected.Events;

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
