using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace SseCore.Cli;

/// <summary>The entry point: <see cref="SseCat.RunAsync"/> over the console's byte streams.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        // Raw byte streams, not Console.In/Out: the input is bytes, and --jsonl output is UTF-8
        // bytes written (and flushed) once per event. Ctrl+C keeps its default meaning (terminate):
        // every event printed so far has already been flushed.
        using Stream stdin = Console.OpenStandardInput();
        using Stream stdout = Console.OpenStandardOutput();
        return await SseCat.RunAsync(args, stdin, stdout, Console.Error, CancellationToken.None).ConfigureAwait(false);
    }
}
