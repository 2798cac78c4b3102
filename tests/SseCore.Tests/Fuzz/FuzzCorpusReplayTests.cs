using SseCore.Tests.Fuzz;

namespace SseCore.Tests.Fuzz.Replay;

/// <summary>
/// Replays every fuzz seed (fuzz/corpus/TARGET) and every saved finding (fuzz/regressions/TARGET)
/// through its target's check, against the ordinary uninstrumented build, so each one stays fixed.
/// The folder under corpus/ or regressions/ names the target (see <see cref="FuzzTargets.Names"/>).
/// </summary>
public class FuzzCorpusReplayTests
{
    private static readonly string FuzzDirectory = Path.Combine(FindRepositoryRoot(), "fuzz");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string folder in new[] { "corpus", "regressions" })
        {
            foreach (string target in FuzzTargets.Names)
            {
                string dir = Path.Combine(FuzzDirectory, folder, target);
                if (!Directory.Exists(dir))
                {
                    continue;
                }

                foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    data.Add(target, Path.GetRelativePath(FuzzDirectory, file).Replace('\\', '/'));
                }
            }
        }

        return data;
    }

    [Fact]
    public void EveryTarget_HasSeeds()
    {
        var inputs = ((IEnumerable<object[]>)Inputs()).ToList();
        foreach (string target in FuzzTargets.Names)
        {
            Assert.True(inputs.Count(i => (string)i[0] == target && ((string)i[1]).StartsWith("corpus/", StringComparison.Ordinal)) >= 5, $"expected seeds under {FuzzDirectory}/corpus/{target}");
        }
    }

    [Fact]
    public void NothingLiesOutsideATargetFolder()
    {
        // A seed or finding put directly in corpus/ or regressions/ would never be replayed.
        foreach (string folder in new[] { "corpus", "regressions" })
        {
            string dir = Path.Combine(FuzzDirectory, folder);
            Assert.Empty(Directory.EnumerateFiles(dir));
            Assert.All(Directory.EnumerateDirectories(dir), d => Assert.Contains(Path.GetFileName(d), FuzzTargets.Names));
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_PassesItsTargetsCheck(string target, string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(FuzzDirectory, file));
        FuzzTargets.Run(target, input);
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
