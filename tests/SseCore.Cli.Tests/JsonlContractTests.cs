using System.Text.Json;
using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary>The --jsonl output contract, byte for byte.</summary>
public class JsonlContractTests
{
    private const string R = "\uFFFD";

    [Fact]
    public async Task Golden_escaping_empty_type_id_persistence_invalid_utf8_and_null_retry()
    {
        byte[] input = CliRun.Latin1(
            ": a comment\n" +
            "event: first\n" +
            "data: plain\n" +
            "\n" +
            "id: 7\n" +
            "event:\n" + // empty type: "message"
            "data: \"quoted\" back\\slash\n" +
            "data: tab\there ctrl\x01\x1f del\x7f nel\xc2\x85 ls\xe2\x80\xa8 ps\xe2\x80\xa9 bs\x08 ff\x0c nul\x00\n" +
            "\n" +
            "data: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 <&'+>/\n" + // id 7 persists
            "\n" +
            "event: bad\xffutf8\n" +
            "data: trunc\xf0\x9f\x98|overlong\xc0\x80|surrogate\xed\xa0\x80|end\xe2\x82\n" +
            "\n" +
            "data\n" +
            "\n" +
            "data: never dispatched");

        string expected =
            """
            {"type":"first","data":"plain","id":""}
            {"type":"message","data":"\"quoted\" back\\slash\ntab\there ctrl\u0001\u001F del\u007F nel\u0085 ls\u2028 ps\u2029 bs\b ff\f nul\u0000","id":"7"}
            {"type":"message","data":"café € 😀 <&'+>/","id":"7"}
            {"type":"bad<R>utf8","data":"trunc<R>|overlong<R><R>|surrogate<R><R><R>|end<R>","id":"7"}
            {"type":"message","data":"","id":"7"}
            {"end":true,"lastEventId":"7","retry":null}

            """.Replace("<R>", R, StringComparison.Ordinal);

        CliResult result = await CliRun.RunAsync(input, "--jsonl");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Equal(expected, result.StdoutText);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), result.Stdout);
    }

    [Fact]
    public async Task Golden_retry_numbers_ignored_retries_and_an_id_reset()
    {
        byte[] input = CliRun.Latin1(
            "retry: 1500\n" +
            "id: x\"\xff\n" +
            "data: a\n" +
            "\n" +
            "retry: 12s\n" + // not all digits: ignored
            "id\n" + // empty value: the last event ID becomes ""
            "data: b\n" +
            "\n" +
            "retry: 250\n" +
            "id: kept-only-in-the-end-line\n" +
            "\n"); // no data: no event, but the ID is committed

        string expected =
            """
            {"type":"message","data":"a","id":"x\"<R>"}
            {"type":"message","data":"b","id":""}
            {"end":true,"lastEventId":"kept-only-in-the-end-line","retry":250}

            """.Replace("<R>", R, StringComparison.Ordinal);

        CliResult result = await CliRun.RunAsync(input, "--jsonl");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), result.Stdout);
    }

    [Fact]
    public async Task An_empty_input_prints_only_the_end_line()
    {
        CliResult result = await CliRun.RunAsync([], "--jsonl");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("{\"end\":true,\"lastEventId\":\"\",\"retry\":null}\n", result.StdoutText);
    }

    [Fact]
    public async Task A_huge_retry_saturates_and_prints_as_a_number()
    {
        CliResult result = await CliRun.RunAsync("retry: 99999999999999999999999\n\n", "--jsonl");

        Assert.Equal("{\"end\":true,\"lastEventId\":\"\",\"retry\":9223372036854775807}\n", result.StdoutText);
    }

    [Theory]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98 }, "\uFFFD")] // truncated 4-byte sequence: one U+FFFD
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x41 }, "\uFFFDA")]
    [InlineData(new byte[] { 0xC0, 0x80 }, "\uFFFD\uFFFD")] // C0 is never a lead byte
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "\uFFFD\uFFFD\uFFFD")] // an encoded surrogate
    [InlineData(new byte[] { 0xE0, 0x80, 0x80 }, "\uFFFD\uFFFD\uFFFD")] // overlong 3-byte
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, "\uFFFD\uFFFD\uFFFD\uFFFD")] // above U+10FFFF
    [InlineData(new byte[] { 0xE2, 0x82 }, "\uFFFD")] // truncated at the end
    [InlineData(new byte[] { 0xE2, 0x82, 0x41 }, "\uFFFDA")]
    [InlineData(new byte[] { 0xF1, 0x80, 0x80, 0x41 }, "\uFFFDA")]
    [InlineData(new byte[] { 0xFF, 0xFE }, "\uFFFD\uFFFD")]
    [InlineData(new byte[] { 0x80, 0xBF }, "\uFFFD\uFFFD")] // lone continuation bytes
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x80 }, "\U0001F600")] // valid: no replacement
    public async Task Invalid_utf8_is_replaced_per_maximal_subpart_as_the_WHATWG_decoder_does(byte[] bytes, string expected)
    {
        // In the data, the type and the id, alone and between ASCII.
        foreach ((string prefix, string suffix) in new[] { ("", ""), ("<", ">") })
        {
            byte[] value = [.. Encoding.ASCII.GetBytes(prefix), .. bytes, .. Encoding.ASCII.GetBytes(suffix)];
            byte[] input = [.. "event: "u8, .. value, .. "\nid: "u8, .. value, .. "\ndata: "u8, .. value, .. "\n\n"u8];

            CliResult result = await CliRun.RunAsync(input, "--jsonl");

            string want = prefix + expected + suffix;
            Assert.Equal(want, Encoding.UTF8.GetString(value)); // .NET's UTF-8 decoder agrees
            string[] lines = result.StdoutLines;
            Assert.Equal(2, lines.Length);
            using JsonDocument doc = JsonDocument.Parse(lines[0]);
            Assert.Equal(want, doc.RootElement.GetProperty("type").GetString());
            Assert.Equal(want, doc.RootElement.GetProperty("id").GetString());
            Assert.Equal(want, doc.RootElement.GetProperty("data").GetString());
            Assert.Equal(want, JsonDocument.Parse(lines[1]).RootElement.GetProperty("lastEventId").GetString());

            // Written as UTF-8 text, not as \u escapes.
            Assert.Equal("{\"type\":\"" + want + "\",\"data\":\"" + want + "\",\"id\":\"" + want + "\"}", lines[0]);
        }
    }

    [Fact]
    public async Task Random_bytes_round_trip_through_the_JSON_as_the_UTF8_decoder_reads_them()
    {
        var random = new Random(20240611);
        var input = new List<byte>();
        var expected = new List<string>();
        for (int i = 0; i < 400; i++)
        {
            // Any bytes but CR and LF (which would end the line); biased towards UTF-8 lead bytes.
            byte[] value = new byte[random.Next(0, 24)];
            for (int j = 0; j < value.Length; j++)
            {
                int pick = random.Next(4);
                byte b = pick switch
                {
                    0 => (byte)random.Next(0x00, 0x80),
                    1 => (byte)random.Next(0x80, 0xC0),
                    2 => (byte)random.Next(0xC0, 0x100),
                    _ => (byte)"\"\\ \t\x1b\x7fé"[random.Next(7)],
                };
                value[j] = b is (byte)'\r' or (byte)'\n' ? (byte)'x' : b;
            }

            input.AddRange("data: "u8.ToArray());
            input.AddRange(value);
            input.AddRange("\n\n"u8.ToArray());
            expected.Add(Encoding.UTF8.GetString(value)); // "data: " loses its one space; the value keeps its own
        }

        CliResult result = await CliRun.RunAsync(input.ToArray(), "--jsonl");

        string[] lines = result.StdoutLines;
        Assert.Equal(expected.Count + 1, lines.Length);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.DoesNotContain(lines[i], c => c < 0x20 || (c >= 0x7F && c <= 0x9F) || c is '\u2028' or '\u2029');
            Assert.Equal(expected[i], JsonDocument.Parse(lines[i]).RootElement.GetProperty("data").GetString());
        }
    }

    [Theory]
    [InlineData(0x00, "\\u0000")]
    [InlineData(0x07, "\\u0007")]
    [InlineData(0x08, "\\b")]
    [InlineData(0x09, "\\t")]
    [InlineData(0x0B, "\\u000B")]
    [InlineData(0x0C, "\\f")]
    [InlineData(0x1B, "\\u001B")]
    [InlineData(0x1F, "\\u001F")]
    [InlineData(0x22, "\\\"")]
    [InlineData(0x5C, "\\\\")]
    [InlineData(0x7F, "\\u007F")]
    [InlineData(0x80, "\\u0080")]
    [InlineData(0x9F, "\\u009F")]
    [InlineData(0x2028, "\\u2028")]
    [InlineData(0x2029, "\\u2029")]
    [InlineData(0x20, " ")]
    [InlineData(0x2F, "/")]
    [InlineData(0x3C, "<")]
    [InlineData(0x27, "'")]
    [InlineData(0xA0, "\u00A0")]
    [InlineData(0xFEFF, "\uFEFF")]
    [InlineData(0xFFFD, "\uFFFD")]
    [InlineData(0x1F600, "\U0001F600")]
    public async Task Each_character_is_escaped_exactly_as_documented(int scalar, string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(char.ConvertFromUtf32(scalar));
        byte[] input = [.. "data: a"u8, .. utf8, .. "b\n\n"u8];

        CliResult result = await CliRun.RunAsync(input, "--jsonl");

        Assert.Equal("{\"type\":\"message\",\"data\":\"a" + json + "b\",\"id\":\"\"}", result.StdoutLines[0]);
    }
}
