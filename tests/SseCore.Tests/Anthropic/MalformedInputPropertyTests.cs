using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Anthropic;

/// <summary>
/// Bad input gets a typed exception, never anything else: every fixture, mutated by FsCheck
/// (bytes flipped, JSON punctuation and type-changing tokens spliced in, ranges dropped or
/// repeated), run through MessageStream and Message.ToJson. Any outcome is allowed except an
/// exception that is not an AnthropicException, or a snapshot that cannot be serialized.
/// </summary>
public class MalformedInputPropertyTests
{
    private static readonly string[] FixtureNames = Fixtures.Names.ToArray();

    private static readonly byte[][] Splices =
    [
        "\""u8.ToArray(), "\\"u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ","u8.ToArray(),
        ":"u8.ToArray(), "null"u8.ToArray(), "-1"u8.ToArray(), "1e999"u8.ToArray(), "2147483648"u8.ToArray(), "\"x\""u8.ToArray(),
        "true"u8.ToArray(), "\\u"u8.ToArray(), "\\ud800"u8.ToArray(), [0xFF], [0xC3], [0], "\n\n"u8.ToArray(), "\r"u8.ToArray(),
        "\"index\":999999999,"u8.ToArray(), "\"type\":\"error\","u8.ToArray(), "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"u8.ToArray(),
    ];

    internal static byte[] Mutate(byte[] input, int[] ops)
    {
        var bytes = new List<byte>(input);
        foreach (int op in ops)
        {
            // One int, one mutation: its hash picks the kind, the operand and the place.
            uint h = unchecked((uint)op * 2654435761u);
            int at = bytes.Count == 0 ? 0 : (int)((h >> 12) % (uint)bytes.Count);
            switch (h % 4)
            {
                case 0:
                    bytes.InsertRange(at, Splices[(h >> 8) % (uint)Splices.Length]);
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << (int)((h >> 8) % 8));
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + (int)((h >> 8) % 12)));
                    break;
                case 3 when bytes.Count > 0:
                    int len = Math.Min(bytes.Count - at, 1 + (int)((h >> 8) % 40));
                    bytes.InsertRange(at, bytes.GetRange(at, len));
                    break;
            }
        }

        return bytes.ToArray();
    }

    [Property(MaxTest = 300)]
    public void MutatedFixtures_GiveAMessageOrATypedException(PositiveInt fixture, int[] ops)
    {
        byte[] input = Mutate(Fixtures.Read(FixtureNames[fixture.Get % FixtureNames.Length]), ops);
        Message? message;
        try
        {
            using MessageStream stream = MessageStream.Create(new MemoryStream(input), new SseParserOptions { MaxLineLength = 64 * 1024 });
            message = stream.GetFinalMessageAsync().GetAwaiter().GetResult();
        }
        catch (AnthropicException ex)
        {
            message = ex.PartialMessage;
        }

        // Whatever was accumulated must serialize back to one line of valid JSON.
        if (message is not null)
        {
            string json = message.ToJson();
            Assert.DoesNotContain("\n", json);
            using var doc = System.Text.Json.JsonDocument.Parse(json);
        }
    }

    [Fact]
    public void Mutator_ChangesInputs()
    {
        byte[] basic = Fixtures.Read("basic_text.sse");
        int[][] samples = ArbMap.Default.GeneratorFor<int[]>().Sample(100, 30).ToArray();
        int changed = samples.Count(ops => !Mutate(basic, ops).AsSpan().SequenceEqual(basic));
        Assert.True(changed * 10 > samples.Length * 7, $"only {changed} of {samples.Length} mutations changed the input");
    }
}
