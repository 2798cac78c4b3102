using System.IO;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Fuzz;

/// <summary>
/// Replays every fuzz seed (fuzz/corpus) and every saved finding (fuzz/regressions) through the
/// fuzz target's check, against the ordinary uninstrumented build, so each one stays fixed.
/// A regression named <c>open-*</c> reproduces a library bug that is still open: the check
/// tolerates it (see <see cref="DifferentialCheck.KnownIssues"/>), and it must still fail without
/// that tolerance, so that a fix is noticed and the file renamed.
/// </summary>
public class FuzzCorpusReplayTests
{
    private static readonly string FuzzDirectory = Path.Combine(FindRepositoryRoot(), "fuzz");

    public static TheoryData<string> Inputs()
    {
        var data = new TheoryData<string>();
        foreach (string folder in new[] { "corpus", "regressions" })
        {
            string dir = Path.Combine(FuzzDirectory, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(FuzzDirectory, file).Replace('\\', '/'));
            }
        }

        return data;
    }

    [Fact]
    public void Corpus_IsNotEmpty() => Assert.True(((IEnumerable<object[]>)Inputs()).Count() > 10, $"expected the fuzz seeds under {FuzzDirectory}");

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_PassesTheDifferentialCheck(string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(FuzzDirectory, file));
        DifferentialCheck.Run(input, DifferentialCheck.KnownIssues.All);

        if (Path.GetFileName(file).StartsWith("open-", StringComparison.Ordinal))
        {
            var e = Record.Exception(() => DifferentialCheck.Run(input, DifferentialCheck.KnownIssues.None));
            Assert.True(
                e is DifferentialMismatchException,
                $"{file} no longer reproduces its bug: if the library was fixed, drop the 'open-' prefix and the tolerance in DifferentialCheck.KnownIssues.");
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SseCore.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"SseCore.sln not found above {AppContext.BaseDirectory}");
    }
}
