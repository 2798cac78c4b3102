using System.Text;
using SseCore.Tests.Fuzz;

namespace SseCore.Tests.Fuzz.Replay;

/// <summary>The fuzz checks can see what they claim to measure.</summary>
public class FuzzTargetTests
{
    [Fact]
    public void ReaderCheck_SeesTheStatesBuffers()
    {
        // The memory bound is only as good as the measure: a line held across buffers must show.
        using var state = new SseParserState();
        byte[] line = Encoding.ASCII.GetBytes("data: " + new string('x', 10_000));
        var tokenizer = new SseTokenizer(line.AsSpan(), isFinalBlock: false, state);
        Assert.False(tokenizer.TryRead(out _));
        Assert.InRange(ReaderCheck.BytesHeld(state), line.Length, long.MaxValue);
    }

    [Fact]
    public void ReaderCheck_BoundGrowsWithTheLimitsOnly()
    {
        var small = new SseParserOptions { MaxLineLength = 1, MaxEventSize = 1 };
        var large = new SseParserOptions { MaxLineLength = 4096, MaxEventSize = 4096 };
        Assert.True(ReaderCheck.StateBound(small) < 16 * 1024);
        Assert.True(ReaderCheck.StateBound(large) > 6 * 4096);
        Assert.True(ReaderCheck.StateBound(small) < ReaderCheck.MaxStreamLength / 4, "a stream kept whole must exceed the bound");
    }

    [Fact]
    public void UnknownTarget_IsRejected() =>
        Assert.Throws<ArgumentException>(() => FuzzTargets.Run("nope", []));

    [Theory]
    [InlineData("tokenizer")]
    [InlineData("reader")]
    [InlineData("anthropic")]
    [InlineData("noalloc")]
    public void EmptyAndTinyInputs_Pass(string target)
    {
        for (int n = 0; n < 6; n++)
        {
            FuzzTargets.Run(target, new byte[n]);
        }
    }
}
