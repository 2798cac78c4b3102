using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace SseCore.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --cpu-check</c>: the issue's target ratios measured in process CPU
/// time instead of wall-clock time, as a cross-check of the BenchmarkDotNet tables on a shared
/// machine. When other processes take the cores, wall-clock medians inflate at random while the
/// CPU time this process spends on one operation barely moves. Each row: 40 warm-up operations
/// (or 1.5 s of them, at least 3) and a pause for tiered compilation, then 7 rounds of at least 200 ms of CPU, and the median CPU time per operation; background GC
/// and JIT threads count, so a peer pays for the collections it causes. Same workloads, same
/// verified loops as the suite (every row is checked once before it is timed).
/// </summary>
internal static class CpuTimeCheck
{
    /// <param name="filter">When not null, only the groups whose name contains it, or one of its <c>|</c>-separated parts (ignoring case).</param>
    public static void Run(string? filter)
    {
        bool Wants(string name) => filter is null || filter.Split('|').Any(f => name.Contains(f, StringComparison.OrdinalIgnoreCase));

        Console.WriteLine($"// SseCore CPU-time check, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var rows = new List<(string Group, string Name, double NsPerUnit, string Unit)>();

        foreach ((StreamSize size, LineEnding ending) in new[] { (StreamSize.MiB64, LineEnding.LF), (StreamSize.MiB1, LineEnding.LF), (StreamSize.MiB1, LineEnding.CRLF) })
        {
            string group = $"SSE {size} {ending}";
            if (!Wants(group))
            {
                continue;
            }

            var sse = new SseBenchmarks { Size = size, LineEnding = ending };
            sse.Setup();
            long events = Payloads.Stream(size, ending).Sse.Expected.Events;
            rows.Add((group, nameof(sse.Floor_Read_FindLineEnds), Measure(() => sse.Floor_Read_FindLineEnds()) / events, "ns/event"));
            rows.Add((group, nameof(sse.SseCore_Tokenizer_Span), Measure(() => sse.SseCore_Tokenizer_Span()) / events, "ns/event"));
            rows.Add((group, nameof(sse.Peer_SseParser_LengthOnly), Measure(() => sse.Peer_SseParser_LengthOnly()) / events, "ns/event"));
            if (size == StreamSize.MiB64)
            {
                rows.Add((group, nameof(sse.Peer_SseParser_Strings), Measure(() => sse.Peer_SseParser_Strings()) / events, "ns/event"));
                rows.Add((group, nameof(sse.Peer_Naive_ReadLine), Measure(() => sse.Peer_Naive_ReadLine()) / events, "ns/event"));
            }

            sse.Cleanup();
        }

        if (Wants("Decode MiB1"))
        {
            var decode = new DecodeBenchmarks { Size = StreamSize.MiB1 };
            decode.Setup();
            long events = Payloads.Stream(StreamSize.MiB1, LineEnding.LF).Sse.Expected.Events;
            const string group = "Decode MiB1";
            rows.Add((group, nameof(decode.SseCore_Decode_Span), Measure(() => decode.SseCore_Decode_Span()) / events, "ns/event"));
            rows.Add((group, nameof(decode.SseCore_Decode_SseReader), Measure(() => decode.SseCore_Decode_SseReader().GetAwaiter().GetResult()) / events, "ns/event"));
            rows.Add((group, nameof(decode.Peer_SseParser_Utf8JsonReader), Measure(() => decode.Peer_SseParser_Utf8JsonReader()) / events, "ns/event"));
            rows.Add((group, nameof(decode.Peer_SseParser_JsonSerializer), Measure(() => decode.Peer_SseParser_JsonSerializer()) / events, "ns/event"));
            rows.Add((group, nameof(decode.Peer_SseParser_JsonDocument), Measure(() => decode.Peer_SseParser_JsonDocument()) / events, "ns/event"));
            decode.Cleanup();
        }

        if (Wants("Final message MiB1"))
        {
            var sdk = new AnthropicDecodeBenchmarks();
            sdk.Setup();
            long events = Payloads.Stream(StreamSize.MiB1, LineEnding.LF).Sse.Expected.Events;
            const string group = "Final message MiB1";
            rows.Add((group, nameof(sdk.SseCore_Accumulator_Span), Measure(() => sdk.SseCore_Accumulator_Span()) / events, "ns/event"));
            rows.Add((group, nameof(sdk.SseCore_MessageStream_FinalMessage), Measure(() => sdk.SseCore_MessageStream_FinalMessage().GetAwaiter().GetResult()) / events, "ns/event"));
            rows.Add((group, nameof(sdk.Sdk_CreateStreaming_Aggregate), Measure(() => sdk.Sdk_CreateStreaming_Aggregate().GetAwaiter().GetResult()) / events, "ns/event"));
            rows.Add((group, nameof(sdk.SseCore_MessageStream_Utf8Text), Measure(() => sdk.SseCore_MessageStream_Utf8Text().GetAwaiter().GetResult()) / events, "ns/event"));
            rows.Add((group, nameof(sdk.Sdk_CreateStreaming_TryPickText), Measure(() => sdk.Sdk_CreateStreaming_TryPickText().GetAwaiter().GetResult()) / events, "ns/event"));
            sdk.Cleanup();
        }

        foreach (int chunk in new[] { 1, 7, 4096 })
        {
            string group = $"Chunks of {chunk} B";
            if (!Wants(group))
            {
                continue;
            }

            var chunking = new ChunkingBenchmarks { Chunk = chunk };
            chunking.Setup();
            long bytes = Payloads.Stream(StreamSize.MiB1, LineEnding.LF).Sse.Bytes.Length;
            rows.Add((group, nameof(chunking.Floor_PipeReader_ReadLoop), Measure(() => chunking.Floor_PipeReader_ReadLoop().GetAwaiter().GetResult()) / bytes, "ns/byte"));
            rows.Add((group, nameof(chunking.SseCore_SseReader_Pipe), Measure(() => chunking.SseCore_SseReader_Pipe().GetAwaiter().GetResult()) / bytes, "ns/byte"));
            rows.Add((group, nameof(chunking.Peer_SseParser_LengthOnly_Async), Measure(() => chunking.Peer_SseParser_LengthOnly_Async().GetAwaiter().GetResult()) / bytes, "ns/byte"));
        }

        if (Wants("64 MiB line"))
        {
            var huge = new HugeLineBenchmarks();
            huge.Setup();
            const string group = "64 MiB line";
            rows.Add((group, nameof(huge.SseCore_Tokenizer_OneSegment), Measure(() => huge.SseCore_Tokenizer_OneSegment()) / HugeLineBenchmarks.LineBytes, "ns/byte"));
            rows.Add((group, nameof(huge.SseCore_Tokenizer_1460ByteSegments), Measure(() => huge.SseCore_Tokenizer_1460ByteSegments()) / HugeLineBenchmarks.LineBytes, "ns/byte"));
            rows.Add((group, nameof(huge.SseCore_SseReader_1460ByteReads), Measure(() => huge.SseCore_SseReader_1460ByteReads().GetAwaiter().GetResult()) / HugeLineBenchmarks.LineBytes, "ns/byte"));
        }

        Console.WriteLine();
        Console.WriteLine("| Group | Row | CPU per unit |");
        Console.WriteLine("|---|---|---:|");
        foreach (var row in rows)
        {
            Console.WriteLine($"| {row.Group} | {row.Name} | {row.NsPerUnit.ToString(row.NsPerUnit < 10 ? "F3" : "F1", CultureInfo.InvariantCulture)} {row.Unit} |");
        }
    }

    /// <summary>The median process CPU time of one operation, in nanoseconds.</summary>
    private static double Measure(Func<object> operation)
    {
        // Warm-up: at least 3 calls and 3 s of them, and at least 40 calls unless that takes over
        // 10 s; then a pause for the background compiler. Tiered compilation needs 30 calls to
        // promote a method, and a method that loops over a whole stream runs its first calls as
        // on-stack-replacement code, which is slower (the decoding loop up to 3x): a warm-up of
        // 40 calls ending after ~100 ms measured that code instead of the final one.
        var probe = Stopwatch.StartNew();
        int calls = 0;
        while (calls < 3 || probe.ElapsedMilliseconds < 3000 || (calls < 40 && probe.ElapsedMilliseconds < 10_000))
        {
            operation();
            calls++;
        }

        double msPerCall = probe.Elapsed.TotalMilliseconds / calls;
        System.Threading.Thread.Sleep(200);

        // Operations per round: enough for 200 ms of CPU (the clock's resolution is coarse).
        int perRound = Math.Max(1, (int)(200 / Math.Max(0.01, msPerCall)));
        var rounds = new double[7];
        using Process self = Process.GetCurrentProcess();
        for (int r = 0; r < rounds.Length; r++)
        {
            self.Refresh();
            TimeSpan start = self.TotalProcessorTime;
            for (int i = 0; i < perRound; i++)
            {
                operation();
            }

            self.Refresh();
            rounds[r] = (self.TotalProcessorTime - start).TotalMilliseconds * 1e6 / perRound;
        }

        Array.Sort(rounds);
        return rounds[rounds.Length / 2];
    }
}
