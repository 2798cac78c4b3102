using System.Buffers;
using System.IO;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace SseCore.Benchmarks;

/// <summary>
/// ~1 MiB of events with five data lines each (LF), so every event takes the join path: the
/// lines are copied into one buffer joined by LF. Every other event has no <c>event</c> line.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerEventConfig))]
public class MultiLineBenchmarks
{
    private Payload _payload = null!;
    private ReadOnlySequence<byte> _segments4K;
    private MemoryStream _stream = null!;

    [ParamsAllValues]
    public MultiLineShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = Payloads.MultiLine(Shape);
        _segments4K = Segments.Split(_payload.Bytes, 4096);
        _stream = new MemoryStream(_payload.Bytes, writable: false);

        Expected expected = _payload.Expected;
        Verify.Digests(_payload, _segments4K);
        Verify.Same(nameof(SseCore_Tokenizer_Span), SseCore_Tokenizer_Span(), expected);
        Verify.Same(nameof(SseCore_Tokenizer_Segments4K), SseCore_Tokenizer_Segments4K(), expected);
        Verify.Same(nameof(SseCore_SseReader_Stream), SseCore_SseReader_Stream(), expected);
        Verify.Same(nameof(Peer_Bytes_Sync), Peer_Bytes_Sync(), expected);
        Verify.Same(nameof(Peer_Bytes_Async), Peer_Bytes_Async(), expected);
    }

    [GlobalCleanup]
    public void Cleanup() => _stream.Dispose();

    [Benchmark]
    public Tally SseCore_Tokenizer_Span() => Workloads.TokenizerSpan(_payload.Bytes);

    [Benchmark]
    public Tally SseCore_Tokenizer_Segments4K() => Workloads.TokenizerSequence(_segments4K);

    [Benchmark]
    public Task<Tally> SseCore_SseReader_Stream()
    {
        _stream.Position = 0;
        return Workloads.ReaderAsync(_stream);
    }

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

    internal static long EventsPerOperation(BenchmarkCase benchmarkCase) =>
        Payloads.MultiLine((MultiLineShape)benchmarkCase.Parameters["Shape"]).Expected.Events;

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
