using System.Buffers;
using System.IO;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace SseCore.Benchmarks;

/// <summary>
/// A whole Anthropic Messages stream (~1 MiB, ~8,000 events: message_start,
/// content_block_start, text deltas with a ping every 1,000, content_block_stop, message_delta,
/// message_stop), parsed by each SseCore entry point and by System.Net.ServerSentEvents, with LF,
/// CRLF and CR line ends. SseCore's 7-byte segments are matched by 7-byte reads for the peer.
/// One operation = one whole stream; the ns/event and B/event columns divide by the stream's
/// event count.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerEventConfig))]
public class AnthropicStreamBenchmarks
{
    private Payload _payload = null!;
    private ReadOnlySequence<byte> _segments4K;
    private ReadOnlySequence<byte> _segments7;
    private MemoryStream _stream = null!;
    private ChunkedReadStream _stream7 = null!;

    [ParamsAllValues]
    public LineEnding LineEnding { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = Payloads.Anthropic(LineEnding);
        _segments4K = Segments.Split(_payload.Bytes, 4096);
        _segments7 = Segments.Split(_payload.Bytes, 7);
        _stream = new MemoryStream(_payload.Bytes, writable: false);
        _stream7 = new ChunkedReadStream(_payload.Bytes, 7);

        Expected expected = _payload.Expected;
        Verify.Digests(_payload, _segments7);
        Verify.Same(nameof(SseCore_Tokenizer_Span), SseCore_Tokenizer_Span(), expected);
        Verify.Same(nameof(SseCore_Tokenizer_Segments4K), SseCore_Tokenizer_Segments4K(), expected);
        Verify.Same(nameof(SseCore_Tokenizer_Segments7B), SseCore_Tokenizer_Segments7B(), expected);
        Verify.Same(nameof(SseCore_SseReader_Stream), SseCore_SseReader_Stream(), expected);
        Verify.Same(nameof(SseCore_SseParser_StructHandler), SseCore_SseParser_StructHandler(), expected);
        Verify.Same(nameof(Peer_Bytes_Sync), Peer_Bytes_Sync(), expected);
        Verify.Same(nameof(Peer_Bytes_Async), Peer_Bytes_Async(), expected);
        Verify.Same(nameof(Peer_String_Async), Peer_String_Async(), expected);
        Verify.Same(nameof(Peer_Bytes_Sync_7ByteReads), Peer_Bytes_Sync_7ByteReads(), expected);
    }

    [GlobalCleanup]
    public void Cleanup() => _stream.Dispose();

    [Benchmark]
    public Tally SseCore_Tokenizer_Span() => Workloads.TokenizerSpan(_payload.Bytes);

    [Benchmark]
    public Tally SseCore_Tokenizer_Segments4K() => Workloads.TokenizerSequence(_segments4K);

    [Benchmark]
    public Tally SseCore_Tokenizer_Segments7B() => Workloads.TokenizerSequence(_segments7);

    [Benchmark]
    public Task<Tally> SseCore_SseReader_Stream()
    {
        _stream.Position = 0;
        return Workloads.ReaderAsync(_stream);
    }

    [Benchmark]
    public Tally SseCore_SseParser_StructHandler() => Workloads.Handler(_payload.Bytes);

    [Benchmark(Baseline = true)]
    public Tally Peer_Bytes_Sync()
    {
        _stream.Position = 0;
        return Workloads.PeerBytesSync(_stream);
    }

    [Benchmark]
    public Task<Tally> Peer_Bytes_Async()
    {
        _stream.Position = 0;
        return Workloads.PeerBytesAsync(_stream);
    }

    [Benchmark]
    public Task<Tally> Peer_String_Async()
    {
        _stream.Position = 0;
        return Workloads.PeerStringAsync(_stream);
    }

    /// <summary>The peer's counterpart of <see cref="SseCore_Tokenizer_Segments7B"/>: a stream whose every read returns 7 bytes.</summary>
    [Benchmark]
    public Tally Peer_Bytes_Sync_7ByteReads()
    {
        _stream7.Rewind();
        return Workloads.PeerBytesSync(_stream7);
    }

    internal static long EventsPerOperation(BenchmarkCase benchmarkCase) =>
        Payloads.Anthropic((LineEnding)benchmarkCase.Parameters["LineEnding"]).Expected.Events;

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
