using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace SseCore.Benchmarks;

/// <summary>
/// Entry point. With no arguments it runs the whole suite non-interactively; any arguments go to
/// BenchmarkDotNet's switcher (e.g. <c>--filter *Anthropic*</c>, <c>--list flat</c>,
/// <c>--iterationCount 4</c>, <c>--job dry</c>).
/// </summary>
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
        if (args.Length == 0)
        {
            // BenchmarkSwitcher would otherwise ask which benchmarks to run.
            args = ["--filter", "*"];
        }

        // BenchmarkDotNet ignores --job when the global config has a default job, so add ours only
        // when the command line names none.
        bool namesJob = args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", System.StringComparison.Ordinal));
        IConfig config = DefaultConfig.Instance.AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        if (!namesJob)
        {
            config = config.AddJob(SuiteJob);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
