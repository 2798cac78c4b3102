using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SseCore.Internal;

namespace SseCore.Tests.Internal;

/// <summary>
/// <see cref="JsonUnescaper"/> copies 32 bytes at a time up to each backslash and the last
/// fewer than 32 one at a time (net8.0+ with AVX2), or searches (otherwise): every escape at every offset, next to every block edge, into a destination
/// exactly as long as the source and into a longer one, against the unescaped value each piece
/// stands for.
/// </summary>
public class JsonUnescaperTests
{
    // (escaped JSON string content, the UTF-8 it stands for)
    private static readonly (string Raw, string Value)[] Pieces =
    [
        ("a", "a"), ("The quick brown fox jumps over ", "The quick brown fox jumps over "),
        ("\\n", "\n"), ("\\t", "\t"), ("\\r", "\r"), ("\\b", "\b"), ("\\f", "\f"),
        ("\\\"", "\""), ("\\\\", "\\"), ("\\/", "/"),
        ("\\u0041", "A"), ("\\u00e9", "é"), ("\\u20AC", "€"), ("\\uD83D\\uDE00", "😀"),
        ("\\uD800x", "\uFFFDx"), ("\\uDC00", "\uFFFD"), ("\\uDBFF\\u0041", "\uFFFDA"),
        ("é", "é"), ("😀", "😀"),
    ];

    public static IEnumerable<object[]> Escapes() => Pieces.Where(p => p.Raw.StartsWith('\\')).Select(p => new object[] { p.Raw, p.Value });

    [Theory]
    [MemberData(nameof(Escapes))]
    public void OneEscape_AtEveryOffsetFrom0To100_InTextOf0To140Bytes(string raw, string value)
    {
        for (int before = 0; before <= 100; before++)
        {
            foreach (int after in new[] { 0, 1, 31, 32, 33, 40 })
            {
                string b = new('x', before);
                string a = new('y', after);
                AssertUnescapes(b + raw + a, b + value + a);
                AssertUnescapes(b + raw + raw + a, b + value + value + a);
            }
        }
    }

    [Property(MaxTest = 3000)]
    public void AnyMixOfPieces_UnescapesToTheirValues(int[] tokens)
    {
        var raw = new StringBuilder();
        var value = new StringBuilder();
        foreach (int t in tokens)
        {
            uint h = unchecked((uint)t * 2654435761u);
            (string r, string v) = Pieces[h % (uint)Pieces.Length];
            int repeat = 1 + (int)((h >> 16) % 9);
            for (int k = 0; k < repeat; k++)
            {
                raw.Append(r);
                value.Append(v);
            }
        }

        AssertUnescapes(raw.ToString(), value.ToString());
    }

    private static void AssertUnescapes(string raw, string value)
    {
        byte[] source = Encoding.UTF8.GetBytes(raw);
        byte[] expected = Encoding.UTF8.GetBytes(value);
        foreach (int slack in new[] { 0, 64 })
        {
            byte[] destination = new byte[source.Length + slack];
            destination.AsSpan().Fill(0xAA);
            int written = JsonUnescaper.Unescape(source, destination);
            if (!destination.AsSpan(0, written).SequenceEqual(expected))
            {
                Assert.Fail($"<{raw}> (destination {destination.Length} bytes): expected {Convert.ToHexString(expected)}, got {Convert.ToHexString(destination, 0, written)}");
            }
        }
    }
}
