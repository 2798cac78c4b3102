using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SseCore.Anthropic;

namespace SseCore.Benchmarks;

/// <summary>The size of the tool input in <see cref="ToolInputBenchmarks"/>.</summary>
public enum ToolInputSize
{
    KiB64 = 64,
    KiB256 = 256,
    MiB1 = 1024,
}

/// <summary>
/// Following a tool's input while it streams (issue 8): a file-writing tool call of 64 KiB,
/// 256 KiB or 1 MiB (path, a long <c>content</c> string with escapes, an array of edit objects)
/// arriving in deltas of 65.5 bytes — 4,000 deltas at 256 KiB, as the issue puts it. The
/// streaming view (<see cref="StreamingToolInput"/>, read after every delta: completed
/// properties and the text so far) against the baseline that re-parses the accumulated text with
/// <see cref="JsonDocument"/> after every delta (<c>TryParseValue</c> with <c>isFinalBlock:
/// false</c>, so an unfinished prefix costs a re-read, not an exception). Both get the deltas as
/// UTF-8 already unescaped from <c>partial_json</c>. If ours is O(n), its ns/delta column is flat
/// across sizes; the baseline's grows with the size.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ToolInputConfig))]
public class ToolInputBenchmarks
{
    private const double DeltaBytes = 65.536;

    private readonly StreamingToolInput _input = new();
    private byte[][] _deltas = [];
    private byte[] _accumulated = [];
    private int _properties;

    [ParamsAllValues]
    public ToolInputSize Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var clock = Stopwatch.StartNew();
        byte[] json = Payload((int)Size * 1024);
        _deltas = Split(json, DeltaCount(Size));
        _accumulated = new byte[json.Length];
        using (JsonDocument whole = JsonDocument.Parse(json))
        {
            _properties = 0;
            foreach (JsonProperty unused in whole.RootElement.EnumerateObject())
            {
                _properties++;
            }
        }

        long seen = SseCore_StreamingToolInput();
        if (_input.Status != ToolInputStatus.Complete || _input.PropertyCount != _properties || !_input.Utf8Json.SequenceEqual(json) || seen <= 0)
        {
            throw new InvalidOperationException($"{nameof(SseCore_StreamingToolInput)}: {_input.Status}, {_input.PropertyCount} of {_properties} properties");
        }

        if (Baseline_JsonDocument_ReparseEachDelta() != _properties)
        {
            throw new InvalidOperationException($"{nameof(Baseline_JsonDocument_ReparseEachDelta)} did not parse the whole input.");
        }

        Console.WriteLine($"// setup: {json.Length:N0} bytes in {_deltas.Length:N0} deltas, {_properties} properties; results verified in {clock.ElapsedMilliseconds} ms");
    }

    [GlobalCleanup]
    public void Cleanup() => _input.Dispose();

    /// <summary>Appends every delta and looks at the progress after each (what a UI would show).</summary>
    [Benchmark]
    public long SseCore_StreamingToolInput()
    {
        StreamingToolInput input = _input;
        input.Clear();
        long seen = 0;
        foreach (byte[] delta in _deltas)
        {
            input.Append(delta);
            seen += input.PropertyCount + input.CurrentText.Length;
        }

        return seen;
    }

    /// <summary>Appends every delta to one buffer and re-parses all of it after each; returns the properties of the one parse that succeeds.</summary>
    [Benchmark(Baseline = true)]
    public int Baseline_JsonDocument_ReparseEachDelta()
    {
        int length = 0;
        int properties = 0;
        foreach (byte[] delta in _deltas)
        {
            delta.CopyTo(_accumulated, length);
            length += delta.Length;
            var reader = new Utf8JsonReader(_accumulated.AsSpan(0, length), isFinalBlock: false, state: default);
            if (JsonDocument.TryParseValue(ref reader, out JsonDocument? doc))
            {
                using (doc)
                {
                    foreach (JsonProperty unused in doc.RootElement.EnumerateObject())
                    {
                        properties++;
                    }
                }
            }
        }

        return properties;
    }

    internal static int DeltaCount(ToolInputSize size) => (int)Math.Round((int)size * 1024 / DeltaBytes);

    internal static long DeltasPerOperation(BenchmarkCase benchmarkCase) => DeltaCount((ToolInputSize)benchmarkCase.Parameters["Size"]);

    /// <summary>A write-file tool call of about <paramref name="size"/> bytes: 60% one string, the rest small objects.</summary>
    private static byte[] Payload(int size)
    {
        var sb = new StringBuilder("{\"path\": \"src/generated/Report.cs\", \"content\": \"");
        for (int line = 0; sb.Length < size * 6 / 10; line++)
        {
            sb.Append("    // line ").Append(line).Append(": \\\"quoted\\\" text, a tab\\tand caf\\u00e9\\n");
        }

        sb.Append("\", \"edits\": [");
        for (int i = 0; sb.Length < size - 40; i++)
        {
            sb.Append(i == 0 ? "" : ", ").Append("{\"line\": ").Append(i).Append(", \"kind\": \"insert\", \"ok\": true, \"weight\": ").Append(i * 0.25).Append('}');
        }

        sb.Append("], \"overwrite\": true}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static byte[][] Split(byte[] json, int count)
    {
        var deltas = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            int from = (int)((long)json.Length * i / count);
            int to = (int)((long)json.Length * (i + 1) / count);
            deltas.Add(json[from..to]);
        }

        return deltas.ToArray();
    }

    private sealed class ToolInputConfig : ManualConfig
    {
        public ToolInputConfig() =>
            AddColumn(
                new PerUnitColumn("Deltas", "input_json_deltas in one operation (one whole tool input)", PerUnitKind.Count, DeltasPerOperation),
                new PerUnitColumn("Median ns/delta", "Median divided by Deltas", PerUnitKind.NanosecondsPerUnit, DeltasPerOperation),
                new PerUnitColumn("B/delta", "Allocated divided by Deltas", PerUnitKind.BytesPerUnit, DeltasPerOperation));
    }
}
