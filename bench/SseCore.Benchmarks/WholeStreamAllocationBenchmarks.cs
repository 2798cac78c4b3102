using System.IO;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SseCore.Anthropic;

namespace SseCore.Benchmarks;

/// <summary>
/// What a whole stream costs in memory, against what it produces: the bytes allocated to take a
/// whole Anthropic stream (<see cref="Payloads.Stream"/>, LF, 1 or 64 MiB) to its final
/// <see cref="Message"/>, next to the size of that message (<see cref="MessageExpected.MessageBytes"/>:
/// the text as strings, each tool input as a string and as its parsed document's UTF-8). The
/// target is an allocation of at most twice the message plus a constant; the
/// <c>Alloc/Message</c> column is the ratio, and <c>Alloc-2xMessage</c> what is left over
/// twice the message (the constant, when the target is met, should not grow with the size).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[SteadyStateWarmup]
public class WholeStreamAllocationBenchmarks
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
        Verify.FinalMessage(nameof(SseCore_Accumulator_Span), SseCore_Accumulator_Span(), _payload.Message);
        Verify.FinalMessage(nameof(SseCore_MessageStream_FinalMessage), SseCore_MessageStream_FinalMessage(), _payload.Message);
    }

    [GlobalCleanup]
    public void Cleanup() => _stream.Dispose();

    /// <summary>The tokenizer over one span, the decoder and the accumulator, then <see cref="MessageAccumulator.GetMessage"/>.</summary>
    [Benchmark(Baseline = true)]
    public Message SseCore_Accumulator_Span() => MessageWorkloads.AccumulateSpan(_payload.Sse.Bytes);

    /// <summary><see cref="MessageStream"/> over a <see cref="MemoryStream"/>: its pipe, reader, decoder and accumulator, then the final message.</summary>
    [Benchmark]
    public Task<Message> SseCore_MessageStream_FinalMessage()
    {
        _stream.Position = 0;
        return MessageWorkloads.MessageStreamFinalAsync(_stream);
    }

    internal static long MessageBytes(BenchmarkCase benchmarkCase) =>
        Payloads.Stream((StreamSize)benchmarkCase.Parameters["Size"], LineEnding.LF).Message.MessageBytes;

    internal static long EventsPerOperation(BenchmarkCase benchmarkCase) =>
        Payloads.Stream((StreamSize)benchmarkCase.Parameters["Size"], LineEnding.LF).Sse.Expected.Events;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(PerUnitColumn.PerEvent(EventsPerOperation));
            AddColumn(
                new PerUnitColumn("Message B", "The final message's size: text and tool input as strings (2 B/char) plus the tool input's UTF-8", PerUnitKind.Count, MessageBytes),
                new PerUnitColumn("Alloc/Message", "Allocated divided by Message B", PerUnitKind.AllocatedRatio, MessageBytes),
                new PerUnitColumn("Alloc-2xMessage", "Allocated minus twice Message B", PerUnitKind.AllocatedOverTwice, MessageBytes));
        }
    }
}
