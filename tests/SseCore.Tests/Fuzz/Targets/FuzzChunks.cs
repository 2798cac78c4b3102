using System.Buffers;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Fuzz;

/// <summary>Thrown by a fuzz target's check (every target's, the tokenizer's <c>DifferentialCheck</c> too) when the library breaks a property the target asserts.</summary>
public sealed class FuzzCheckFailedException : Exception
{
    public FuzzCheckFailedException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// The sizes a stream is cut into, drawn from one header byte: bits 0-1 pick the largest piece
/// (1, 7, 64 or 512 bytes), bits 2-7 seed a xorshift generator. Pieces of 0 bytes are allowed.
/// At most <see cref="MaxPieces"/> pieces: past that the smallest piece grows, so a long stream
/// cannot make a run slow.
/// </summary>
public sealed class FuzzChunks
{
    public const int MaxPieces = 2048;

    private static readonly int[] MaxPieceSizes = [1, 7, 64, 512];

    private FuzzChunks(int[] sizes) => Sizes = sizes;

    /// <summary>The piece sizes, in order; they add up to the stream's length.</summary>
    public int[] Sizes { get; }

    /// <summary>The largest piece.</summary>
    public int Largest => Sizes.Length == 0 ? 0 : Sizes.Max();

    public static FuzzChunks From(byte header, int length)
    {
        int max = MaxPieceSizes[header & 3];
        int min = length / MaxPieces;
        uint state = ((uint)(header >> 2) * 2654435761u) + 0x9E3779B9u;
        var sizes = new List<int>();
        int left = length;
        while (left > 0)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            int size = Math.Min(left, min + (int)(state % (uint)(max + 1)));
            sizes.Add(size);
            left -= size;
        }

        return new FuzzChunks([.. sizes]);
    }

    /// <summary>The stream as one sequence with a segment per piece (empty ones included).</summary>
    public ReadOnlySequence<byte> ToSequence(byte[] stream)
    {
        if (Sizes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(stream.AsMemory(0, Sizes[0]), 0);
        Segment last = first;
        int offset = Sizes[0];
        for (int i = 1; i < Sizes.Length; i++)
        {
            last = last.Append(stream.AsMemory(offset, Sizes[i]));
            offset += Sizes[i];
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>A read-only stream whose reads return at most the chosen piece sizes (a 0 piece is skipped: 0 means end).</summary>
    public Stream ToStream(byte[] stream) => new PieceStream(stream, Sizes);


    /// <summary>Bytes as C-style text for messages: printable ASCII kept, the rest escaped, cut at 400.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes) =>
        SseCore.Tests.Reference.DifferentialCheck.Escape(bytes.ToArray());
}
