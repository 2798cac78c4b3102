using System.Buffers;
using System.IO;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace SseCore.Benchmarks;

/// <summary>
/// SSE parsing alone, no JSON: a whole Anthropic-shaped stream (<see cref="Payloads.Stream"/>, 1 or
/// 64 MiB, LF or CRLF) parsed by SseCore's tokenizer (one span; a sequence of 4 KiB segments) and
/// <see cref="SseReader"/> (a <c>PipeReader</c> over a <see cref="MemoryStream"/>), against
/// System.Net.ServerSentEvents (length-only item parser, the baseline; strings), a naive
/// <see cref="StreamReader.ReadLine"/> parser, and a floor that is not a parser (read the bytes and
/// find each line end with a vectorized search). Every peer reads the same bytes from a
/// <see cref="MemoryStream"/> and is enumerated synchronously, its fastest mode. Per event each
/// benchmark adds up the data length and compares the type to <c>content_block_delta</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class SseBenchmarks
{
    private MessagePayload _payload = null!;
    private ReadOnlySequence<byte> _segments4K;
    private MemoryStream _stream = null!;
    private readonly byte[] _readBuffer = new byte[64 * 1024];

    [ParamsAllValues]
    public StreamSize Size { get; set; }

    [ParamsAllValues]
    public LineEnding LineEnding { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = Payloads.Stream(Size, LineEnding);
        byte[] bytes = _payload.Sse.Bytes;
        _segments4K = Segments.Split(bytes, 4096);
        _stream = new MemoryStream(bytes, writable: false);

        Expected expected = _payload.Sse.Expected;
        Verify.Digests(_payload.Sse, _segments4K);
        Verify.Count(nameof(Floor_Read_FindLineEnds), "line ends", Floor_Read_FindLineEnds(), expected.Lines);
        Verify.Same(nameof(SseCore_Tokenizer_Span), SseCore_Tokenizer_Span(), expected);
        Verify.Same(nameof(SseCore_Tokenizer_Segments4K), SseCore_Tokenizer_Segments4K(), expected);
        Verify.Same(nameof(SseCore_SseReader_Stream), SseCore_SseReader_Stream(), expected);
        Verify.Same(nameof(Peer_SseParser_LengthOnly), Peer_SseParser_LengthOnly(), expected);
        Verify.Same(nameof(Peer_SseParser_Strings), Peer_SseParser_Strings(), expected.CharTally);
        Verify.Same(nameof(Peer_Naive_ReadLine), Peer_Naive_ReadLine(), expected.CharTally);
    }

    [GlobalCleanup]
    public void Cleanup() => _stream.Dispose();

    /// <summary>Not a parser: 64 KiB reads from the <see cref="MemoryStream"/> and one vectorized LF search per line.</summary>
    [Benchmark]
    public long Floor_Read_FindLineEnds() => Workloads.FloorReadCountLines(Rewound(), _readBuffer);

    [Benchmark]
    public Tally SseCore_Tokenizer_Span() => Workloads.TokenizerSpan(_payload.Sse.Bytes);

    [Benchmark]
    public Tally SseCore_Tokenizer_Segments4K() => Workloads.TokenizerSequence(_segments4K);

    [Benchmark]
    public Task<Tally> SseCore_SseReader_Stream() => Workloads.ReaderAsync(Rewound());

    /// <summary>System.Net.ServerSentEvents with a length-only item parser: its least allocating use (the event type string remains).</summary>
    [Benchmark(Baseline = true)]
    public Tally Peer_SseParser_LengthOnly() => Workloads.PeerBytesSync(Rewound());

    /// <summary>System.Net.ServerSentEvents' string overload (what the Anthropic C# SDK uses); lengths in UTF-16 chars.</summary>
    [Benchmark]
    public Tally Peer_SseParser_Strings() => Workloads.PeerStringSync(Rewound());

    /// <summary>The naive <see cref="StreamReader.ReadLine"/> parser many SDKs shipped; lengths in UTF-16 chars.</summary>
    [Benchmark]
    public Tally Peer_Naive_ReadLine() => Workloads.NaiveReadLine(Rewound());

    internal static long EventsPerOperation(BenchmarkCase benchmarkCase) =>
        Payloads.Stream((StreamSize)benchmarkCase.Parameters["Size"], (LineEnding)benchmarkCase.Parameters["LineEnding"]).Sse.Expected.Events;

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
