using SseCore.Cli.Output;
using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary>
/// Values longer than Utf8JsonWriter takes at once are written in segments; cutting them anywhere,
/// even inside a UTF-8 sequence or an invalid one, must not change a byte of the output.
/// </summary>
public class JsonlSegmentTests
{
    [Fact]
    public async Task Writing_in_segments_of_any_length_gives_the_same_bytes()
    {
        byte[] input = CliRun.Latin1(
            "id: \xf0\x9f\x98\x80-\"id\"-\xe2\x82\n" +
            "event: caf\xc3\xa9\n" +
            "data: a\xf0\x9f\x98\x80b\xf0\x9f\x98|\xc0\x80|\xed\xa0\x80|\x01\"\\\xe2\x80\xa8\xc3\xa9\n" +
            "data: second \xe2\x82\xac line\xf0\n" +
            "\n");
        byte[] whole = await RenderAsync(input, int.MaxValue);

        for (int segment = 1; segment <= 12; segment++)
        {
            Assert.Equal(Encoding.UTF8.GetString(whole), Encoding.UTF8.GetString(await RenderAsync(input, segment)));
        }
    }

    private static async Task<byte[]> RenderAsync(byte[] input, int segmentLength)
    {
        var output = new MemoryStream();
        using var sink = new JsonLinesSink(output, segmentLength);
        using SseReader reader = SseReader.Create(new MemoryStream(input));
        while (await reader.MoveNextAsync())
        {
            sink.WriteEvent(reader.Current);
        }

        sink.WriteEnd(reader.State);
        await sink.FlushAsync(CancellationToken.None);
        return output.ToArray();
    }
}
