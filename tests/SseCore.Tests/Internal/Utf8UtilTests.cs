using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SseCore.Internal;

namespace SseCore.Tests.Internal;

/// <summary>
/// <see cref="Utf8Util.GetString"/> decodes mostly-ASCII UTF-8 of 128 bytes and more with a
/// transcoder of its own (net8.0+): it must give exactly what <see cref="Encoding.UTF8"/> gives,
/// for valid input (every sequence length at every offset and across every 32-byte block edge) and
/// for invalid input (which it hands to <see cref="Encoding.UTF8"/>, the WHATWG replacement).
/// </summary>
public class Utf8UtilTests
{
    // Pieces: ASCII runs, every sequence length, and the ill-formed cases of Unicode table 3-7.
    private static readonly byte[][] Valid =
    [
        "a"u8.ToArray(), "The quick brown fox "u8.ToArray(), "\n\t\"\\"u8.ToArray(),
        [0xC2, 0x80], [0xC3, 0xA9], [0xDF, 0xBF], // 2 bytes: U+0080, é, U+07FF
        [0xE0, 0xA0, 0x80], [0xE2, 0x80, 0x94], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF], // 3 bytes
        [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], // 4 bytes: U+10000, emoji, U+10FFFF
    ];

    private static readonly byte[][] Invalid =
    [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC2], [0xC2, 0x41], // lone continuation, overlong 2-byte, cut
        [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xE2, 0x80], [0xE2, 0x41, 0x80], // overlong, surrogates, cut
        [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xF0, 0x9F, 0x98], // overlong, > U+10FFFF, cut
        [0xFE], [0xFF],
    ];

    public static IEnumerable<object[]> Pieces() => Valid.Concat(Invalid).Select(p => new object[] { Convert.ToHexString(p) });

    [Theory]
    [MemberData(nameof(Pieces))]
    public void OnePiece_AtEveryOffsetInAsciiOf130To200Bytes_AsEncodingUtf8(string hex)
    {
        byte[] piece = Convert.FromHexString(hex);
        foreach (int total in new[] { 130, 160, 200 })
        {
            for (int at = 0; at + piece.Length <= total; at++)
            {
                byte[] input = new byte[total];
                input.AsSpan().Fill((byte)'x');
                piece.CopyTo(input, at);
                AssertSame(input);
            }
        }
    }

    [Property(MaxTest = 3000)]
    public void AnyMixOfPieces_AsEncodingUtf8(int[] tokens, bool invalidToo)
    {
        byte[] input = Build(tokens, invalidToo);
        AssertSame(input);
    }

#if !SSECORE_NETSTANDARD_ASSET
    [Property(MaxTest = 1000)]
    public void ValidMostlyAscii_TakesTheFastPath(int[] tokens)
    {
        byte[] input = Build(tokens, invalidToo: false);
        int nonAscii = input.Count(b => (b & 0xC0) == 0x80);
        bool expected = input.Length > 0 && nonAscii <= input.Length / 8;
        Assert.Equal(expected, Utf8Util.TryGetMostlyAsciiString(input, out string? text));
        if (expected)
        {
            Assert.Equal(Encoding.UTF8.GetString(input), text);
        }
    }

    [Fact]
    public void InvalidOrNotMostlyAscii_IsLeftToEncodingUtf8()
    {
        byte[] ascii = Encoding.ASCII.GetBytes(new string('a', 300));
        foreach (byte[] bad in Invalid)
        {
            byte[] input = [.. ascii, .. bad, .. ascii];
            Assert.False(Utf8Util.TryGetMostlyAsciiString(input, out _), Convert.ToHexString(bad));
            Assert.Equal(Encoding.UTF8.GetString(input), Utf8Util.GetString(input));
        }

        byte[] cjk = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("服务器发送事件 ", 40)));
        Assert.False(Utf8Util.TryGetMostlyAsciiString(cjk, out _));
        Assert.Equal(Encoding.UTF8.GetString(cjk), Utf8Util.GetString(cjk));
    }
#endif

    [Fact]
    public void LongText_OfTheBenchmarksShape_AsEncodingUtf8()
    {
        // ~1 non-ASCII character per 160 bytes, several MiB of blocks, every length near a block edge.
        var sb = new StringBuilder();
        var random = new Random(7);
        string[] rare = ["é", "—", "😀", "ü", "€", "𝄞"];
        while (sb.Length < 200_000)
        {
            sb.Append("Server-sent events arrive one at a time ");
            if (random.Next(4) == 0)
            {
                sb.Append(rare[random.Next(rare.Length)]);
            }
        }

        byte[] text = Encoding.UTF8.GetBytes(sb.ToString());
        AssertSame(text);
        for (int length = 100; length < 300; length++)
        {
            AssertSame(text.AsSpan(0, length).ToArray());
            AssertSame(text.AsSpan(text.Length - length).ToArray());
        }
    }

    private static byte[] Build(int[] tokens, bool invalidToo)
    {
        var bytes = new List<byte>();
        foreach (int t in tokens)
        {
            uint h = unchecked((uint)t * 2654435761u);
            byte[][] from = invalidToo && h % 7 == 0 ? Invalid : Valid;
            byte[] piece = from[(h >> 8) % (uint)from.Length];
            int repeat = 1 + (int)((h >> 20) % 12);
            for (int r = 0; r < repeat; r++)
            {
                bytes.AddRange(piece);
            }
        }

        return [.. bytes];
    }

    private static void AssertSame(byte[] input)
    {
        string expected = Encoding.UTF8.GetString(input);
        string actual = Utf8Util.GetString(input);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            Assert.Fail($"{input.Length} bytes {Convert.ToHexString(input)}: expected {Escape(expected)}, got {Escape(actual)}");
        }
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 0x80 && !char.IsControl(c) ? c.ToString() : $"\\u{(int)c:X4}"));
}
