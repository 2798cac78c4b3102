using System.IO;
using SharpFuzz;
using SseCore.Tests.Fuzz;

namespace SseCore.Fuzz;

/// <summary>
/// The AFL++ targets (see docs/FUZZING.md): <c>dotnet SseCore.Fuzz.dll [TARGET]</c> under
/// afl-fuzz, TARGET one of tokenizer (the default), reader, anthropic, noalloc; or
/// <c>dotnet SseCore.Fuzz.dll replay TARGET PATH...</c> to run a target's check over files or
/// folders with an uninstrumented build (an instrumented SseCore.dll crashes any process not run
/// by afl-fuzz).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "replay" && FuzzTargets.Names.Contains(args[1]))
        {
            return Replay(args[1], args.Skip(2));
        }

        if (args.Length > 1 || (args.Length == 1 && !FuzzTargets.Names.Contains(args[0])))
        {
            Console.Error.WriteLine($"usage: SseCore.Fuzz [TARGET]                (under afl-fuzz: the input comes on stdin)");
            Console.Error.WriteLine($"       SseCore.Fuzz replay TARGET PATH...  (files, or folders searched recursively)");
            Console.Error.WriteLine($"TARGET: {string.Join(" | ", FuzzTargets.Names)} (default {FuzzTargets.Tokenizer})");
            return 2;
        }

        string target = args.Length == 1 ? args[0] : FuzzTargets.Tokenizer;

        // SharpFuzz 2.3.0 has no span overload for AFL: copy the stream into one reused buffer.
        var buffer = new MemoryStream();
        Action<Stream> run = stream =>
        {
            buffer.SetLength(0);
            stream.CopyTo(buffer);
            FuzzTargets.Run(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        };

        // The Anthropic target runs out of process: a hang or a stack overflow there kills only
        // the child, and afl-fuzz saves the input (in process it would kill the fork server and
        // the input would be lost). The others keep the in-process runner's double speed.
        if (target == FuzzTargets.Anthropic || Environment.GetEnvironmentVariable("SSECORE_FUZZ_OUT_OF_PROCESS") == "1")
        {
            Fuzzer.OutOfProcess.Run(run);
        }
        else
        {
            Fuzzer.Run(run);
        }

        return 0;
    }

    private static int Replay(string target, IEnumerable<string> paths)
    {
        int files = 0, failures = 0;
        foreach (string path in paths)
        {
            if (!Directory.Exists(path) && !File.Exists(path))
            {
                Console.WriteLine($"skip {path}: no such file or folder");
                continue;
            }

            IEnumerable<string> inputs = Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                : [path];
            foreach (string file in inputs)
            {
                files++;
                try
                {
                    FuzzTargets.Run(target, File.ReadAllBytes(file));
                }
                catch (Exception e)
                {
                    failures++;
                    Console.WriteLine($"FAIL {file}\n{e}\n");
                }
            }
        }

        Console.WriteLine($"replay {target}: {files} inputs, {failures} failed");
        return failures == 0 ? 0 : 1;
    }
}
