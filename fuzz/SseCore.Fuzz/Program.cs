using System.IO;
using SharpFuzz;
using SseCore.Tests.Reference;

namespace SseCore.Fuzz;

/// <summary>
/// The AFL++ target: <c>dotnet SseCore.Fuzz.dll</c> under afl-fuzz (see fuzz/README.md), or
/// <c>dotnet SseCore.Fuzz.dll replay PATH...</c> to run the check over files or folders with an
/// uninstrumented build (an instrumented SseCore.dll crashes any process not run by afl-fuzz).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "replay")
        {
            return Replay(args.Skip(1));
        }

        if (args.Length > 0)
        {
            Console.Error.WriteLine("usage: SseCore.Fuzz            (under afl-fuzz: the input comes on stdin)");
            Console.Error.WriteLine("       SseCore.Fuzz replay PATH...  (files, or folders searched recursively)");
            return 2;
        }

        // SharpFuzz 2.3.0 has no span overload for AFL: copy the stream into one reused buffer.
        var buffer = new MemoryStream();
        Fuzzer.Run(stream =>
        {
            buffer.SetLength(0);
            stream.CopyTo(buffer);
            DifferentialCheck.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    private static int Replay(IEnumerable<string> paths)
    {
        int files = 0, failures = 0;
        foreach (string path in paths)
        {
            IEnumerable<string> inputs = Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                : [path];
            foreach (string file in inputs)
            {
                files++;
                try
                {
                    DifferentialCheck.Run(File.ReadAllBytes(file));
                }
                catch (Exception e)
                {
                    failures++;
                    Console.WriteLine($"FAIL {file}\n{e}\n");
                }
            }
        }

        Console.WriteLine($"replay: {files} inputs, {failures} failed");
        return failures == 0 ? 0 : 1;
    }
}
