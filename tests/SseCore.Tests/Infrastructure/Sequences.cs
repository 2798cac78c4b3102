using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;

namespace SseCore.Tests.Infrastructure;

/// <summary>
/// Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as a pipe hands them out. Linked
/// into the fuzz target and the benchmarks: one segment builder for the repository.
/// </summary>
public static class Sequences
{
    public static ReadOnlySequence<byte> Split(byte[] data, int segments)
    {
        if (segments <= 1 || data.Length <= 1)
        {
            return new ReadOnlySequence<byte>(data);
        }

        var cuts = new List<int>();
        for (int i = 1; i < segments; i++)
        {
            cuts.Add((int)((long)data.Length * i / segments));
        }

        return SplitAt(data, cuts, emptyBetween: true);
    }

    public static ReadOnlySequence<byte> SplitAt(byte[] data, IEnumerable<int> cuts, bool emptyBetween)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        int prev = 0;
        foreach (int cut in cuts.Where(c => c > 0 && c < data.Length).Distinct().Order())
        {
            parts.Add(data.AsMemory(prev, cut - prev));
            if (emptyBetween)
            {
                parts.Add(ReadOnlyMemory<byte>.Empty);
            }

            prev = cut;
        }

        parts.Add(data.AsMemory(prev));
        return FromParts(parts);
    }

    /// <summary>One byte per segment, with an empty segment before each.</summary>
    public static ReadOnlySequence<byte> BytePerSegment(byte[] data)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        for (int i = 0; i < data.Length; i++)
        {
            parts.Add(ReadOnlyMemory<byte>.Empty);
            parts.Add(data.AsMemory(i, 1));
        }

        parts.Add(ReadOnlyMemory<byte>.Empty);
        return FromParts(parts);
    }

    public static ReadOnlySequence<byte> FromParts(IEnumerable<ReadOnlyMemory<byte>> parts)
    {
        using IEnumerator<ReadOnlyMemory<byte>> e = parts.GetEnumerator();
        if (!e.MoveNext())
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(e.Current, 0);
        Segment last = first;
        while (e.MoveNext())
        {
            last = last.Append(e.Current);
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
}
