using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SseCore.Anthropic;

namespace SseCore.Tests.ToolInput;

/// <summary>
/// Generated JSON objects cut into random deltas: what the streaming view reports along the way
/// and at the end agrees with one parse of the whole text.
/// </summary>
public class StreamingToolInputPropertyTests
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = StreamingToolInput.MaxDepth };

    [Property(MaxTest = 300)]
    public void Deltas_GiveTheWholeParse_PropertiesInOrder_AndPrefixSnapshots(int[] choices, int[] cuts, bool escapedOnTheWire)
    {
        byte[] json = JsonInputs.Object(choices);
        using JsonDocument whole = JsonDocument.Parse(json, Options);
        JsonProperty[] expected = whole.RootElement.EnumerateObject().ToArray();

        using var input = new StreamingToolInput();
        foreach (byte[] delta in JsonInputs.Split(json, cuts))
        {
            if (escapedOnTheWire)
            {
                byte[] wire = JsonInputs.EscapeAsJsonString(delta);
                input.Append(new JsonText(wire, wire.Length != delta.Length));
            }
            else
            {
                input.Append(delta);
            }

            AssertProgress(input, whole.RootElement, expected);
        }

        Assert.Equal(json, input.Utf8Json.ToArray());
        Assert.Equal(ToolInputStatus.Complete, input.Status);
        Assert.Equal(expected.Length, input.PropertyCount);
        Assert.False(input.HasCurrentProperty);
        using JsonDocument final = JsonDocument.Parse(JsonInputs.Snapshot(input), Options);
        Assert.True(JsonElement.DeepEquals(whole.RootElement, final.RootElement));
    }

    [Property(MaxTest = 150)]
    public void EveryBytePrefix_SnapshotIsValidJson_AndAPrefixOfTheFinalValue(int[] choices)
    {
        byte[] json = JsonInputs.Object(choices);
        using JsonDocument whole = JsonDocument.Parse(json, Options);
        JsonProperty[] expected = whole.RootElement.EnumerateObject().ToArray();
        using var input = new StreamingToolInput();
        for (int i = 0; i < json.Length; i++)
        {
            input.Append(json.AsSpan(i, 1));
            AssertProgress(input, whole.RootElement, expected);
        }
    }

    /// <summary>
    /// Whatever the bytes, the scanner's verdict at the end is the reader's: whole exactly when
    /// <see cref="JsonDocument"/> parses it (as the accumulator does), and nothing throws.
    /// </summary>
    [Property(MaxTest = 500)]
    public void MutatedInput_StatusAgreesWithJsonDocument_AndNothingThrows(int[] choices, int[] cuts, byte[] noise, int where, int how)
    {
        byte[] json = JsonInputs.Object(choices);
        int at = (int)((uint)where % (uint)(json.Length + 1));
        byte[] mutated = ((uint)how % 4) switch
        {
            0 => [.. json[..at], .. noise, .. json[at..]],                         // inserted bytes
            1 => [.. json[..at], .. json[Math.Min(json.Length, at + 1 + noise.Length % 3)..]], // removed bytes
            2 => [.. json[..at], .. noise],                                         // cut and garbage
            _ => json[..at],                                                        // cut
        };

        using var input = new StreamingToolInput();
        foreach (byte[] delta in JsonInputs.Split(mutated, cuts))
        {
            input.Append(delta);
            using JsonDocument snapshot = JsonDocument.Parse(JsonInputs.Snapshot(input), Options);
        }

        AssertVerdictMatchesJsonDocument(mutated, input);
    }

    /// <summary>
    /// The text is read when something is asked, not at each append: asked at any points (or only
    /// at the end), an input reports exactly what one asked after every append reports, errors and
    /// all.
    /// </summary>
    [Property(MaxTest = 300)]
    public void AskedAtAnyPoints_ReportsWhatAskedAfterEveryAppendReports(int[] choices, int[] cuts, byte[] noise, int where, bool[] asks)
    {
        byte[] json = JsonInputs.Object(choices);
        int at = (int)((uint)where % (uint)(json.Length + 1));
        byte[] text = noise.Length % 3 == 0 ? json : [.. json[..at], .. noise, .. json[at..]];

        using var eager = new StreamingToolInput();
        using var lazy = new StreamingToolInput();
        int k = 0;
        foreach (byte[] delta in JsonInputs.Split(text, cuts))
        {
            eager.Append(delta);
            lazy.Append(delta);
            string reportEager = Report(eager);
            if (asks.Length > 0 && asks[k++ % asks.Length])
            {
                Assert.Equal(reportEager, Report(lazy));
            }
        }

        Assert.Equal(Report(eager), Report(lazy));
    }

    /// <summary>Everything an input reports, as text, each member asked first in turn.</summary>
    private static string Report(StreamingToolInput input)
    {
        var sb = new StringBuilder();
        sb.Append(input.Status).Append('|').Append(input.ErrorOffset).Append('|').Append(input.StatusAtEnd).Append('|').Append(input.IsBlank);
        sb.Append('|').Append(input.PropertyCount).Append('|').Append(input.HasCurrentProperty);
        for (int i = 0; i < input.PropertyCount; i++)
        {
            ToolInputProperty p = input.GetProperty(i);
            sb.Append('|').Append(Encoding.UTF8.GetString(p.Name.RawUtf8)).Append('=').Append(Encoding.UTF8.GetString(p.ValueJson));
        }

        ToolInputProperty current = input.CurrentProperty;
        sb.Append("|current ").Append(Encoding.UTF8.GetString(current.Name.RawUtf8)).Append('=').Append(Encoding.UTF8.GetString(current.ValueJson));
        sb.Append("|text ").Append(Convert.ToHexString(input.CurrentText));
        sb.Append("|snapshot ").Append(input.SnapshotLength).Append(' ').Append(JsonInputs.Snapshot(input));
        return sb.ToString();
    }

    [Property(MaxTest = 300)]
    public void RawBytes_StatusAgreesWithJsonDocument(byte[] bytes)
    {
        using var input = new StreamingToolInput();
        input.Append(bytes);
        using JsonDocument snapshot = JsonDocument.Parse(JsonInputs.Snapshot(input), Options);
        AssertVerdictMatchesJsonDocument(bytes, input);
    }

    [Fact]
    public void Generator_ProducesNestedEscapedInputs()
    {
        Gen<int[]> gen = ArbMap.Default.GeneratorFor<int[]>();
        // 1,000 samples: the checks below hold for a far smaller share, so a random draw never fails them.
        byte[][] samples = gen.Sample(100, 1000).Select(JsonInputs.Object).ToArray();
        Assert.True(samples.Count(s => s.Length > 40) > 15, "the generator makes few inputs of any size: " + string.Join(",", samples.Select(s => s.Length)));
        Assert.Contains(samples, s => Encoding.UTF8.GetString(s).Contains("\\u", StringComparison.Ordinal));
        Assert.Contains(samples, s => Encoding.UTF8.GetString(s).Contains("{\"", StringComparison.Ordinal) && s.Count(b => b == '{') > 2);
        Assert.Contains(samples, s => Encoding.UTF8.GetString(s).Contains('[', StringComparison.Ordinal));
    }

    internal static void AssertVerdictMatchesJsonDocument(byte[] text, StreamingToolInput input)
    {
        bool parses;
        try
        {
            var reader = new Utf8JsonReader(text, new JsonReaderOptions { MaxDepth = StreamingToolInput.MaxDepth });
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            parses = !reader.Read();
        }
        catch (JsonException)
        {
            parses = false;
        }

        bool blank = text.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n');
        Assert.True(parses || blank == (input.StatusAtEnd == ToolInputStatus.Complete), $"status {input.StatusAtEnd}, JsonDocument {(parses ? "parses" : "fails")}: {Encoding.UTF8.GetString(text)}");
        if (parses)
        {
            Assert.Equal(ToolInputStatus.Complete, input.StatusAtEnd);
        }
    }

    private static void AssertProgress(StreamingToolInput input, JsonElement final, JsonProperty[] expected)
    {
        Assert.NotEqual(ToolInputStatus.Malformed, input.Status);

        // The snapshot is valid JSON and a prefix of the final value.
        string snapshotText = JsonInputs.Snapshot(input);
        using (JsonDocument snapshot = JsonDocument.Parse(snapshotText, Options))
        {
            Assert.True(JsonInputs.IsPrefix(snapshot.RootElement, final, out string why), $"snapshot {snapshotText} after {Encoding.UTF8.GetString(input.Utf8Json)}: {why}");
        }

        // The completed properties are the first ones of the whole parse, name and raw value.
        Assert.True(input.PropertyCount <= expected.Length);
        for (int i = 0; i < input.PropertyCount; i++)
        {
            ToolInputProperty p = input.GetProperty(i);
            Assert.Equal(expected[i].Name, p.Name.GetString());
            Assert.Equal(expected[i].Value.GetRawText(), Encoding.UTF8.GetString(p.ValueJson));
            Assert.Equal(expected[i].Value.ValueKind, p.ValueKind);
        }

        // The property being written is the next one; a string value's text so far begins its final text.
        if (input.HasCurrentProperty)
        {
            Assert.True(input.PropertyCount < expected.Length);
            JsonProperty next = expected[input.PropertyCount];
            ToolInputProperty current = input.CurrentProperty;
            Assert.Equal(next.Name, current.Name.GetString());
            Assert.True(Encoding.UTF8.GetBytes(next.Value.GetRawText()).AsSpan().StartsWith(current.ValueJson), $"value so far {Encoding.UTF8.GetString(current.ValueJson)} does not begin {next.Value.GetRawText()}");
            if (current.ValueKind == JsonValueKind.String)
            {
                byte[] finalText = Encoding.UTF8.GetBytes(next.Value.GetString()!);
                Assert.True(finalText.AsSpan().StartsWith(input.CurrentText), $"text so far {Convert.ToHexString(input.CurrentText)} does not begin {next.Value.GetRawText()}");
            }
            else
            {
                Assert.True(input.CurrentText.IsEmpty);
            }
        }
        else
        {
            Assert.True(input.CurrentText.IsEmpty);
        }
    }
}
