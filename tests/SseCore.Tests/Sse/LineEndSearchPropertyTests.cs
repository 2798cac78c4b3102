using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Sse;

/// <summary>
/// The line-end search compares the first 32 bytes of what is left of a segment inline and
/// searches on from there. The other properties build lines of at most ~25 bytes, so they seldom
/// reach past that first vector: these build lines of 0 to 100 bytes, line ends of every kind at
/// every distance, and cut the bytes into segments and buffers anywhere, against the reference
/// model and (with tiny limits) the fuzz target's model of limit offsets.
/// </summary>
public class LineEndSearchPropertyTests
{
    private static readonly string[] Fields = ["data:", "data: ", "event:", "id:", ":", "retry:", ""];
    private static readonly string[] Ends = ["\n", "\r", "\r\n", "\n\r", "\n\n", "\r\r", "\r\n\r\n", ""];

    internal static byte[] Build(int[] lines)
    {
        var sb = new StringBuilder();
        foreach (int t in lines)
        {
            uint h = unchecked((uint)t * 2654435761u);
            sb.Append(Fields[h % (uint)Fields.Length]);
            sb.Append('v', (int)((h >> 8) % 101));
            sb.Append(Ends[(h >> 20) % (uint)Ends.Length]);
        }

        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    [Property(MaxTest = 2000)]
    public void LongLines_AnySegmentation_AgreesWithTheReferenceModel(int[] tokens, int[] cuts)
    {
        byte[] input = Build(tokens);
        int[] at = cuts.Select(c => (int)((uint)c % (uint)(input.Length + 1))).ToArray();
        SseOutcome expected = WhatwgReference.Parse(input);
        Assert.Equal(expected, SseHarness.ParseWhole(input));
        Assert.Equal(expected, SseHarness.ParseSegments(input, at));
        Assert.Equal(expected, SseHarness.ParseChunks(SseHarness.CutAt(input, at)));
    }

    [Property(MaxTest = 2000)]
    public void LongLines_LimitsAndOffsets_AsTheFuzzTargetModelSays(byte cut, byte line, byte size, int[] tokens)
    {
        byte[] payload = Build(tokens);
        byte[] input = new byte[DifferentialCheck.HeaderLength + payload.Length];
        input[0] = cut;
        input[1] = line;
        input[2] = size;
        payload.CopyTo(input, DifferentialCheck.HeaderLength);
        DifferentialCheck.Run(input);
    }

    [Fact]
    public void LineEnd_AtEveryOffsetFrom0To100_WithASegmentBoundaryAroundIt()
    {
        // The search starts where the line starts; a line of n bytes has its end at offset n.
        foreach (string end in new[] { "\n", "\r", "\r\n", "\n\r" })
        {
            for (int n = 0; n <= 100; n++)
            {
                string value = new('x', n);
                byte[] input = Encoding.Latin1.GetBytes(":" + value + end + "data:" + value + end + end + "data:" + new string('y', 40) + "\n\n");
                SseOutcome expected = WhatwgReference.Parse(input);
                Assert.Equal(expected, SseHarness.ParseWhole(input));
                int eol = 1 + n;
                foreach (int c in new[] { eol - 1, eol, eol + 1, eol + 2, 32, 33, 31 })
                {
                    if (c > 0 && c < input.Length)
                    {
                        Assert.Equal(expected, SseHarness.ParseSegments(input, [c]));
                        Assert.Equal(expected, SseHarness.ParseChunks(SseHarness.CutAt(input, [c])));
                    }
                }
            }
        }
    }

    [Fact]
    public void CrAtByte31_LfAtByte32_IsOneLineEnd()
    {
        // "data:" + 26 bytes puts the CR at offset 31 of the line and the LF at 32, the first byte
        // past the inline vector.
        byte[] input = Encoding.Latin1.GetBytes("data:" + new string('z', 26) + "\r\n" + "data:" + new string('w', 40) + "\r\n\r\n");
        Assert.Equal(31, Array.IndexOf(input, (byte)'\r'));
        SseOutcome expected = new([new SseRecord("message", new string('z', 26) + "\n" + new string('w', 40), "", null)], "", null);
        Assert.Equal(expected, WhatwgReference.Parse(input));
        Assert.Equal(expected, SseHarness.ParseWhole(input));
        Chunkings.AssertAllChunkings(input, expected);
    }

    [Fact]
    public void LineLimit_OnALineLongerThan32Bytes_ReportsTheSameOffsetWholeOrCut()
    {
        // The line starts at 10, is 60 bytes long; the limit of 40 is crossed at 10 + 40.
        byte[] input = Encoding.Latin1.GetBytes("data: abc\n" + "data:" + new string('q', 55) + "\n\n");
        var options = new SseParserOptions { MaxLineLength = 40 };
        for (int c = 0; c <= input.Length; c++)
        {
            var ex = Assert.Throws<SseLimitExceededException>(() => SseHarness.ParseSegments(input, [c], options));
            Assert.Equal((SseLimit.LineLength, 40L, 50L), (ex.Limit, ex.LimitValue, ex.ByteOffset));
        }
    }

    [Fact]
    public void Generator_ProducesLinesPastTheInlineVector()
    {
        Gen<int[]> gen = ArbMap.Default.GeneratorFor<int[]>();
        int withLongLine = gen.Sample(200, 100).Count(t => Encoding.Latin1.GetString(Build(t)).Split('\n', '\r').Any(l => l.Length > 40));
        Assert.True(withLongLine > 50, $"only {withLongLine} of 100 generated streams have a line past 40 bytes");
    }
}
