namespace SseCore.Tests.Infrastructure;

/// <summary>The Anthropic streams in tests/fixtures/anthropic (copied to the test output).</summary>
public static class Fixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "fixtures", "anthropic");

    public static IEnumerable<string> Names =>
        System.IO.Directory.EnumerateFiles(Directory, "*.sse").Select(Path.GetFileName).Order()!;

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (string name in Names)
        {
            data.Add(name);
        }

        return data;
    }
}
