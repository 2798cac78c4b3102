using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace SseCore.Benchmarks;

/// <summary>
/// Linearity: one event whose single <c>data:</c> line is 64 MiB, then a blank line, delivered in
/// one segment (the baseline) and in 1,460-byte chunks (a TCP segment's payload): as a sequence of
/// 1,460-byte segments, and through a <see cref="PipeReader"/> over a stream whose every read
/// returns 1,460 bytes. A cost that re-scanned the line per chunk would be quadratic (46,000
/// chunks); a linear one stays within a small factor of the single segment.
/// System.Net.ServerSentEvents reads the same chunked stream, for reference. The line limits are
/// raised to 128 MiB. No forced GC between iterations: a full GC over a 64 MiB line buffer and
/// 46,000 segment objects would dominate the measurement, and nothing here allocates per event.
/// </summary>
[MemoryDiagnoser]
[GcForce(false)]
[Config(typeof(Config))]
public class HugeLineBenchmarks
{
    public const int LineBytes = 64 << 20;
    public const int ChunkBytes = 1460;

    private static readonly SseParserOptions Options = new() { MaxLineLength = 128 << 20, MaxEventSize = 128 << 20 };

    private Payload _payload = null!;
    private ReadOnlySequence<byte> _segments;
    private ChunkedReadStream _stream = null!;

    [GlobalSetup]
    public void Setup()
    {
        _payload = Payloads.HugeLine(LineBytes);
        _segments = Segments.Split(_payload.Bytes, ChunkBytes);
        _stream = new ChunkedReadStream(_payload.Bytes, ChunkBytes);

        Expected expected = _payload.Expected;
        Verify.Digests(_payload, _segments, Options);
        Verify.Same(nameof(SseCore_Tokenizer_OneSegment), SseCore_Tokenizer_OneSegment(), expected);
        Verify.Same(nameof(SseCore_Tokenizer_1460ByteSegments), SseCore_Tokenizer_1460ByteSegments(), expected);
        Verify.Same(nameof(SseCore_SseReader_1460ByteReads), SseCore_SseReader_1460ByteReads(), expected);
        Verify.Same(nameof(Peer_SseParser_1460ByteReads), Peer_SseParser_1460ByteReads(), expected);
    }

    [Benchmark(Baseline = true)]
    public Tally SseCore_Tokenizer_OneSegment() => Workloads.TokenizerSpan(_payload.Bytes, Options);

    [Benchmark]
    public Tally SseCore_Tokenizer_1460ByteSegments() => Workloads.TokenizerSequence(_segments, Options);

    [Benchmark]
    public async Task<Tally> SseCore_SseReader_1460ByteReads()
    {
        _stream.Rewind();
        await using var reader = new SseReader(PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true)), Options);
        long events = 0, deltas = 0, bytes = 0;
        while (await reader.MoveNextAsync().ConfigureAwait(false))
        {
            SseEvent e = reader.Current;
            events++;
            bytes += e.Data.Length;
            if (e.EventTypeEquals(Workloads.DeltaType))
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    [Benchmark]
    public Tally Peer_SseParser_1460ByteReads()
    {
        _stream.Rewind();
        return Workloads.PeerBytesSync(_stream);
    }

    internal static long BytesPerOperation(BenchmarkCase benchmarkCase) => LineBytes + 8;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(
            new PerUnitColumn("Bytes", "Stream bytes in one operation", PerUnitKind.Count, BytesPerOperation),
            new PerUnitColumn("Median ns/byte", "Median divided by Bytes", PerUnitKind.NanosecondsPerUnit, BytesPerOperation));
    }
}
