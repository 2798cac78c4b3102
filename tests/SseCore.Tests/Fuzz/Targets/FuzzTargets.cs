using SseCore.Tests.Reference;

namespace SseCore.Tests.Fuzz;

/// <summary>
/// The fuzz targets by name, shared by the AFL++ harness (fuzz/SseCore.Fuzz) and the corpus
/// replay test. Each target's seeds are in <c>fuzz/corpus/NAME/</c> and its findings in
/// <c>fuzz/regressions/NAME/</c>.
/// </summary>
public static class FuzzTargets
{
    /// <summary>1: the tokenizer, every entry point, against the WHATWG reference model.</summary>
    public const string Tokenizer = "tokenizer";

    /// <summary>2: <see cref="SseReader"/> over a Pipe with small limits: typed exception only, bounded memory.</summary>
    public const string Reader = "reader";

    /// <summary>3: the Anthropic decoder, accumulator and MessageStream: documented exceptions only.</summary>
    public const string Anthropic = "anthropic";

    /// <summary>4: parsing and decoding a valid stream again allocates nothing.</summary>
    public const string NoAllocation = "noalloc";

    public static IReadOnlyList<string> Names { get; } = [Tokenizer, Reader, Anthropic, NoAllocation];

    /// <summary>Runs one input through a target; throws when the library breaks the target's property.</summary>
    public static void Run(string target, ReadOnlySpan<byte> input)
    {
        switch (target)
        {
            case Tokenizer:
                DifferentialCheck.Run(input);
                if (NoAllocationCheck.IsEnabled)
                {
                    // Same cut byte, the stream after the tokenizer's 3-byte header.
                    NoAllocationCheck.Run(Splice(input, DifferentialCheck.HeaderLength));
                }

                break;
            case Reader:
                ReaderCheck.Run(input);
                break;
            case Anthropic:
                AnthropicCheck.Run(input);
                if (NoAllocationCheck.IsEnabled)
                {
                    NoAllocationCheck.Run(input);
                }

                break;
            case NoAllocation:
                NoAllocationCheck.Run(input);
                break;
            default:
                throw new ArgumentException($"unknown fuzz target '{target}': one of {string.Join(", ", Names)}", nameof(target));
        }
    }

    private static byte[] Splice(ReadOnlySpan<byte> input, int headerLength)
    {
        if (input.Length <= headerLength)
        {
            return input.Length > 0 ? [input[0]] : [];
        }

        byte[] result = new byte[1 + input.Length - headerLength];
        result[0] = input[0];
        input.Slice(headerLength).CopyTo(result.AsSpan(1));
        return result;
    }
}
