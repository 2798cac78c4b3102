using System;
using System.Buffers;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace SseCore.Benchmarks;

/// <summary>
/// Linearity: one event whose single <c>data:</c> line is 1, 4 or 16 MiB, then a blank line,
/// delivered one byte at a time. If the cost is O(n), the ns/byte column is flat across sizes.
/// SseCore gets it as a sequence of 1-byte segments (built once in the setup) and as 1-byte
/// buffers, each to a new tokenizer over the same state; System.Net.ServerSentEvents gets a
/// stream whose every Read returns one byte (1 and 4 MiB only). The whole stream as one span
/// is the best case, for reference; walking the 1-byte segments without parsing is the floor. The line limits are raised to 64 MiB for these.
/// No forced GC between iterations: nothing here allocates per operation, and a full GC over
/// 16 Mi live segment objects would cost seconds per iteration.
/// </summary>
[MemoryDiagnoser]
[GcForce(false)]
[Config(typeof(HugeLineConfig))]
public class HugeLineBenchmarks
{
    private static readonly SseParserOptions Options = new() { MaxLineLength = 64 << 20, MaxEventSize = 64 << 20 };

    private Payload _payload = null!;
    private ReadOnlySequence<byte> _oneByteSegments;
    private ChunkedReadStream _oneByteStream = null!;

    [ParamsAllValues]
    public HugeLineSize Size { get; set; }

    private void CreatePayload()
    {
        _payload = Payloads.HugeLine((int)Size << 20);
        _oneByteStream = new ChunkedReadStream(_payload.Bytes, 1);
    }

    /// <summary>Setup for the benchmarks that need no segments: building 16 Mi segment objects is left to the one that uses them.</summary>
    [GlobalSetup(Targets = [nameof(SseCore_Tokenizer_Span), nameof(SseCore_Tokenizer_1ByteBuffers), nameof(Peer_Bytes_Sync_1ByteReads)])]
    public void Setup()
    {
        var clock = Stopwatch.StartNew();
        CreatePayload();
        Expected expected = _payload.Expected;
        Verify.Digests(_payload, new ReadOnlySequence<byte>(_payload.Bytes), Options);
        Verify.Same(nameof(SseCore_Tokenizer_Span), SseCore_Tokenizer_Span(), expected);
        Verify.Same(nameof(SseCore_Tokenizer_1ByteBuffers), SseCore_Tokenizer_1ByteBuffers(), expected);
        if (Size != HugeLineSize.MiB16)
        {
            Verify.Same(nameof(Peer_Bytes_Sync_1ByteReads), Peer_Bytes_Sync_1ByteReads(), expected);
        }

        Console.WriteLine($"// setup: results verified in {clock.ElapsedMilliseconds} ms");
    }

    [GlobalSetup(Targets = [nameof(SseCore_Tokenizer_1ByteSegments), nameof(Floor_Walk_1ByteSegments)])]
    public void SetupSegments()
    {
        var clock = Stopwatch.StartNew();
        CreatePayload();
        _oneByteSegments = Segments.Split(_payload.Bytes, 1);
        Console.WriteLine($"// setup: {_payload.Bytes.Length:N0} one-byte segments built in {clock.ElapsedMilliseconds} ms");
        clock.Restart();
        Verify.Digests(_payload, _oneByteSegments, Options);
        Verify.Same(nameof(SseCore_Tokenizer_1ByteSegments), SseCore_Tokenizer_1ByteSegments(), _payload.Expected);
        if (Floor_Walk_1ByteSegments() != _payload.Bytes.Length)
        {
            throw new InvalidOperationException(nameof(Floor_Walk_1ByteSegments) + " did not see every byte.");
        }
        Console.WriteLine($"// setup: results verified in {clock.ElapsedMilliseconds} ms");
    }

    [Benchmark]
    public Tally SseCore_Tokenizer_Span() => Workloads.TokenizerSpan(_payload.Bytes, Options);

    [Benchmark]
    public Tally SseCore_Tokenizer_1ByteSegments() => Workloads.TokenizerSequence(_oneByteSegments, Options);

    /// <summary>
    /// Not a parser: only walks the 1-byte segments (<c>TryGet</c> and <c>Span</c>), the floor for
    /// any consumer of such a sequence.
    /// </summary>
    [Benchmark]
    public long Floor_Walk_1ByteSegments()
    {
        long total = 0;
        SequencePosition position = _oneByteSegments.Start;
        while (_oneByteSegments.TryGet(ref position, out ReadOnlyMemory<byte> memory))
        {
            total += memory.Span.Length;
        }

        return total;
    }

    [Benchmark]
    public Tally SseCore_Tokenizer_1ByteBuffers() => Workloads.TokenizerBuffers(_payload.Bytes, 1, Options);

    [Benchmark]
    public Tally Peer_Bytes_Sync_1ByteReads()
    {
        _oneByteStream.Rewind();
        return Workloads.PeerBytesSync(_oneByteStream);
    }

    internal static long BytesPerOperation(BenchmarkCase benchmarkCase) =>
        ((long)(HugeLineSize)benchmarkCase.Parameters["Size"] << 20) + 8;

    private sealed class HugeLineConfig : ManualConfig
    {
        public HugeLineConfig()
        {
            // The peer is measured at 1 and 4 MiB only.
            AddFilter(new SimpleFilter(c =>
                !(c.Descriptor.WorkloadMethod.Name.StartsWith("Peer", StringComparison.Ordinal)
                  && (HugeLineSize)c.Parameters["Size"] == HugeLineSize.MiB16)));
            AddColumn(
                new PerUnitColumn("Bytes", "Stream bytes in one operation", PerUnitKind.Count, BytesPerOperation),
                new PerUnitColumn("Median ns/byte", "Median divided by Bytes", PerUnitKind.NanosecondsPerUnit, BytesPerOperation));
        }
    }
}
