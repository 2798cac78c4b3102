using System;
using System.Buffers;
using System.IO;
using System.IO.Pipelines;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace SseCore.Benchmarks;

/// <summary>
/// How SseCore's per-read cost compares with the pipe's own: the 1 MiB Anthropic stream (LF)
/// through a <see cref="PipeReader"/> over a stream whose every read returns at most
/// <see cref="Chunk"/> bytes (1, 7, 4,096 or 65,536). The baseline is a bare read loop over the
/// same pipe (<c>ReadAsync</c>, <c>AdvanceTo</c>, nothing else): the least any pipe consumer
/// pays. <see cref="SseReader"/> reads the same pipe; System.Net.ServerSentEvents reads the same
/// chunked stream directly (it takes no pipe), enumerated asynchronously as a network read would be.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[SteadyStateWarmup]
public class ChunkingBenchmarks
{
    private MessagePayload _payload = null!;
    private ChunkedReadStream _stream = null!;
    private StreamPipeReaderOptions _pipeOptions = null!;

    [Params(1, 7, 4096, 65536)]
    public int Chunk { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = Payloads.Stream(StreamSize.MiB1, LineEnding.LF);
        _stream = new ChunkedReadStream(_payload.Sse.Bytes, Chunk);

        // The pipe's buffer holds at least one chunk, so that a 64 KiB read is one read.
        _pipeOptions = new StreamPipeReaderOptions(bufferSize: Math.Max(4096, Chunk), minimumReadSize: Math.Min(1024, Math.Max(4096, Chunk) / 4), leaveOpen: true);

        Expected expected = _payload.Sse.Expected;
        Verify.Count(nameof(Floor_PipeReader_ReadLoop), "bytes", Floor_PipeReader_ReadLoop().GetAwaiter().GetResult(), _payload.Sse.Bytes.Length);
        Verify.Same(nameof(SseCore_SseReader_Pipe), SseCore_SseReader_Pipe(), expected);
        Verify.Same(nameof(Peer_SseParser_LengthOnly_Async), Peer_SseParser_LengthOnly_Async(), expected);
    }

    /// <summary>Not a parser: <c>ReadAsync</c> and <c>AdvanceTo(buffer.End)</c> until the pipe completes.</summary>
    [Benchmark(Baseline = true)]
    public async Task<long> Floor_PipeReader_ReadLoop()
    {
        PipeReader pipe = Pipe();
        long bytes = 0;
        while (true)
        {
            ReadResult result = await pipe.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bytes += buffer.Length;
            pipe.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await pipe.CompleteAsync().ConfigureAwait(false);
        return bytes;
    }

    [Benchmark]
    public async Task<Tally> SseCore_SseReader_Pipe()
    {
        await using var reader = new SseReader(Pipe());
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
    public Task<Tally> Peer_SseParser_LengthOnly_Async()
    {
        _stream.Rewind();
        return Workloads.PeerBytesAsync(_stream);
    }

    internal static long EventsPerOperation(BenchmarkCase benchmarkCase) =>
        Payloads.Stream(StreamSize.MiB1, LineEnding.LF).Sse.Expected.Events;

    private PipeReader Pipe()
    {
        _stream.Rewind();
        return PipeReader.Create(_stream, _pipeOptions);
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(PerUnitColumn.PerEvent(EventsPerOperation));
    }
}
