using System;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace SseCore.Benchmarks;

/// <summary>
/// Warm-up long enough for tiered compilation to finish, whatever the job: <see cref="Iterations"/>
/// warm-up iterations, applied as a mutator to every job of the class (it replaces
/// <c>--job short</c>'s 3, and also a <c>--warmupCount</c> given on the command line).
/// </summary>
/// <remarks>
/// <para>
/// Dynamic PGO promotes methods in waves (a method is counted only after 100 ms without new
/// Tier0 code, then compiled instrumented, then counted again), so a method called a few
/// hundred times per operation, or once, needs about a second of a process to reach Tier1.
/// Measured on the 1 MiB stream to the final message: a short job's 3 warm-up iterations ended
/// before the tool-input scanner, <c>GetFinalMessageAsync</c>'s loop and the message building
/// left Tier0/OSR code in some processes (101 SseCore methods at Tier1 instead of 270-300), and
/// those processes measured 2.2-3.4 ms per stream against 1.5-1.7 in the others; with 15 warm-up
/// iterations, four processes out of four measured 1.56-1.74 ms. That removes one cause of the
/// row's bimodal processes, not every one (docs/PERFORMANCE.md). The SDK rows of the same class get
/// the same warm-up. What a process's first streams cost is another question (docs/PERFORMANCE.md,
/// <i>Cold start</i>).
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SteadyStateWarmupAttribute : Attribute, IConfigSource
{
    /// <summary>The least number of warm-up iterations.</summary>
    public const int Iterations = 15;

    /// <summary>The mutator job.</summary>
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddJob(Job.Default.WithWarmupCount(Iterations).AsMutator());
}
