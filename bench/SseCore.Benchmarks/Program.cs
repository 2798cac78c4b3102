using System;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace SseCore.Benchmarks;

/// <summary>
/// Entry point. With no arguments it runs the whole suite non-interactively with
/// <see cref="SuiteJob"/>; any arguments go to BenchmarkDotNet's switcher (e.g.
/// <c>--filter *Decode*</c>, <c>--list flat</c>, <c>--iterationCount 4</c>, <c>--job short</c>);
/// <c>--cpu-check [GROUP]</c> runs <see cref="CpuTimeCheck"/> instead.
/// </summary>
/// <remarks>
/// <para>
/// <b>Short and dry jobs run a reduced matrix</b> (see <see cref="KeepInReducedRun"/>), so that
/// <c>--job short</c> runs the whole suite in under about five minutes on two cores and
/// <c>--job dry --inProcess</c> (what CI runs) in under one. Every benchmark method still runs; what
/// goes is the repetition across parameters. A short run keeps the 64 MiB stream only where the
/// issue's reference numbers come from (SSE parsing, LF) and for the whole-stream allocation,
/// whose point is how allocation grows with the stream; elsewhere 1 MiB gives the same ns/event
/// in a fraction of the time. A dry run (one cold invocation: it checks that every benchmark
/// verifies and runs, and measures nothing) drops 64 MiB altogether. The default job and any
/// other <c>--job</c> run the full matrix.
/// </para>
/// <para>
/// A short job's iterations are 250 ms, like <see cref="SuiteJob"/>'s, unless the command line
/// sets <c>--iterationTime</c>: BenchmarkDotNet's 500 ms would double the run for no gain in
/// the medians on this machine.
/// </para>
/// </remarks>
public static class Program
{
    /// <summary>
    /// The suite's default job: 3 warm-up and 8 measured iterations in one process per benchmark,
    /// so that a full run takes minutes rather than the half hour of BenchmarkDotNet's defaults.
    /// Iterations of 250 ms (BenchmarkDotNet's default is 500 ms). A <c>--job</c> on the command line
    /// replaces it; <c>--warmupCount</c>, <c>--iterationCount</c> and <c>--iterationTime</c> adjust it.
    /// </summary>
    public static Job SuiteJob { get; } = Job.Default
        .WithWarmupCount(3)
        .WithIterationCount(8)
        .WithIterationTime(TimeInterval.FromMilliseconds(250))
        .WithId("Suite")
        .AsDefault();

    public static int Main(string[] args)
    {
        if (args is ["--cpu-check", ..])
        {
            // Not BenchmarkDotNet: the target ratios in process CPU time (see CpuTimeCheck); an
            // optional second argument keeps the groups whose name contains it ("Chunks", "Decode").
            CpuTimeCheck.Run(args.Length > 1 ? args[1] : null);
            return 0;
        }

        if (!args.Any(a => a is "--filter" or "-f" or "--list" or "--help" or "-h" or "--version" or "--info"))
        {
            // The whole suite unless a filter says otherwise (`-- --job short` included):
            // BenchmarkSwitcher would otherwise ask which benchmarks to run.
            args = [.. args, "--filter", "*"];
        }

        // BenchmarkDotNet ignores --job when the global config has a default job, so add ours only
        // when the command line names none.
        string? job = JobName(args);
        IConfig config = DefaultConfig.Instance.AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        if (job is null)
        {
            config = config.AddJob(SuiteJob);
        }

        bool shortRun = string.Equals(job, "short", StringComparison.OrdinalIgnoreCase);
        bool dryRun = string.Equals(job, "dry", StringComparison.OrdinalIgnoreCase);
        if (shortRun || dryRun)
        {
            config = config.AddFilter(new SimpleFilter(c => KeepInReducedRun(c, dryRun)));
            Console.WriteLine($"// SseCore suite: --job {job} runs the reduced matrix (see Program.KeepInReducedRun).");
        }

        if (shortRun && !args.Any(a => a.StartsWith("--iterationTime", StringComparison.Ordinal)))
        {
            args = [.. args, "--iterationTime", "250"];
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();
        bool failed = summaries.Count == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success) || s.Reports.Length < s.BenchmarksCases.Length);
        return failed ? 1 : 0;
    }

    /// <summary>Whether a benchmark case runs under <c>--job short</c> (<paramref name="dry"/> false) or <c>--job dry</c> (true); see the remarks on <see cref="Program"/>.</summary>
    internal static bool KeepInReducedRun(BenchmarkCase c, bool dry)
    {
        Type type = c.Descriptor.Type;
        if (c.Parameters.Items.Any(p => p.Name == "Size" && p.Value is StreamSize.MiB64))
        {
            if (dry)
            {
                return false;
            }

            bool sseLf = type == typeof(SseBenchmarks) && c.Parameters["LineEnding"] is LineEnding.LF;
            return sseLf || type == typeof(WholeStreamAllocationBenchmarks);
        }

        // The quadratic baseline takes 30 s per operation at 1 MiB: a reduced run keeps 64 KiB
        // (dry) or 64 and 256 KiB (short, enough to see the growth); the full job shows all three.
        if (type == typeof(ToolInputBenchmarks))
        {
            var size = (ToolInputSize)c.Parameters["Size"];
            return dry ? size == ToolInputSize.KiB64 : size != ToolInputSize.MiB1;
        }

        // The join path needs one shape to show its cost.
        return type != typeof(MultiLineBenchmarks) || c.Parameters["Shape"] is MultiLineShape.Short;
    }

    /// <summary>The value of <c>--job</c>/<c>-j</c> on the command line, or null.</summary>
    private static string? JobName(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--job" or "-j")
            {
                return i + 1 < args.Length ? args[i + 1] : string.Empty;
            }

            if (args[i].StartsWith("--job=", StringComparison.Ordinal))
            {
                return args[i]["--job=".Length..];
            }
        }

        return null;
    }
}
