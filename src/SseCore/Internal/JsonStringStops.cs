using System;
#if NET8_0_OR_GREATER
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
#endif

namespace SseCore.Internal;

/// <summary>
/// The bytes that end a run of plain JSON string content: the closing quote, a backslash (an
/// escape) and a control byte (below 0x20, which <c>Utf8JsonReader</c> rejects raw). The
/// canonical delta's scan and the tool-input scanner look for the same set.
/// </summary>
internal static class JsonStringStops
{
#if NET8_0_OR_GREATER
    private static readonly SearchValues<byte> Stops = SearchValues.Create(
    [
        (byte)'"', (byte)'\\', 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F,
    ]);

    /// <summary>The first stop byte (vectorized), or -1.</summary>
    public static int IndexOf(ReadOnlySpan<byte> span) => span.IndexOfAny(Stops);

    /// <summary>Bit k set when byte k of <paramref name="block"/> is a stop byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Mask(Vector256<byte> block) =>
        (Vector256.Equals(block, Vector256.Create((byte)'"'))
        | Vector256.Equals(block, Vector256.Create((byte)'\\'))
        | Vector256.Equals(block & Vector256.Create((byte)0xE0), Vector256<byte>.Zero)).ExtractMostSignificantBits();
#else
    /// <summary>The first stop byte, or -1.</summary>
    public static int IndexOf(ReadOnlySpan<byte> span)
    {
        for (int i = 0; i < span.Length; i++)
        {
            byte c = span[i];
            if (c is (byte)'"' or (byte)'\\' or < 0x20)
            {
                return i;
            }
        }

        return -1;
    }
#endif
}
