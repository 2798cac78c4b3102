using System;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SseCore.Benchmarks;

/// <summary>What a <see cref="PerUnitColumn"/> shows.</summary>
internal enum PerUnitKind
{
    /// <summary>The number of units (events, bytes) in one operation (one whole stream).</summary>
    Count,

    /// <summary>
    /// Median time of one operation divided by its units, in nanoseconds. The median, not the mean:
    /// on a shared machine other processes' bursts inflate the mean far more than the median.
    /// </summary>
    NanosecondsPerUnit,

    /// <summary>Bytes allocated by one operation divided by its units.</summary>
    BytesPerUnit,

    /// <summary>Bytes allocated by one operation divided by its units (bytes too): a ratio.</summary>
    AllocatedRatio,

    /// <summary>Bytes allocated by one operation minus twice its units (bytes): what is left over a budget of twice the units.</summary>
    AllocatedOverTwice,
}

/// <summary>
/// A summary column that divides a whole-stream result by the number of events (or bytes) in the
/// stream, so the tables show the per-event cost directly. The count comes from the same
/// deterministic generator the benchmark used, computed again in the host process.
/// </summary>
internal sealed class PerUnitColumn(string name, string legend, PerUnitKind kind, Func<BenchmarkCase, long> unitsPerOperation) : IColumn
{
    public string Id => nameof(PerUnitColumn) + "." + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => (int)kind;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        long units = unitsPerOperation(benchmarkCase);
        if (kind == PerUnitKind.Count)
        {
            return units.ToString("N0", CultureInfo.InvariantCulture);
        }

        BenchmarkReport? report = summary[benchmarkCase];
        if (report is null || units <= 0)
        {
            return "NA";
        }

        if (kind == PerUnitKind.NanosecondsPerUnit)
        {
            double? median = report.ResultStatistics?.Median;
            return median is null ? "NA" : (median.Value / units).ToString(median.Value / units < 10 ? "F3" : "F1", CultureInfo.InvariantCulture);
        }

        long? allocated = report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
        return allocated is null ? "NA" : kind switch
        {
            PerUnitKind.AllocatedRatio => ((double)allocated.Value / units).ToString("F2", CultureInfo.InvariantCulture),
            PerUnitKind.AllocatedOverTwice => (allocated.Value - (2 * units)).ToString("N0", CultureInfo.InvariantCulture),
            _ => ((double)allocated.Value / units).ToString("F3", CultureInfo.InvariantCulture),
        };
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;

    /// <summary>The three per-event columns: events per operation, median ns per event, allocated bytes per event.</summary>
    public static IColumn[] PerEvent(Func<BenchmarkCase, long> eventsPerOperation) =>
    [
        new PerUnitColumn("Events", "Events in one operation (one whole stream)", PerUnitKind.Count, eventsPerOperation),
        new PerUnitColumn("Median ns/event", "Median divided by Events", PerUnitKind.NanosecondsPerUnit, eventsPerOperation),
        new PerUnitColumn("B/event", "Allocated divided by Events", PerUnitKind.BytesPerUnit, eventsPerOperation),
    ];
}
