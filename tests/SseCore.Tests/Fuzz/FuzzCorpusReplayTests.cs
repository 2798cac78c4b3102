using System.IO;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Fuzz;

/// <summary>
/// Replays every fuzz seed (fuzz/corpus) and every saved finding (fuzz/regressions) through the
/// fuzz target's check, against the ordinary uninstrumented build, so each one stays fixed.
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
        DifferentialCheck.Run(input);
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
