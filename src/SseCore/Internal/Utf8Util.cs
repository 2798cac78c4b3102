using System;
using System.Diagnostics.CodeAnalysis;
using System.Text;
#if NET8_0_OR_GREATER
using System.Numerics;
using System.Runtime.Intrinsics;
#endif

namespace SseCore.Internal;

internal static class Utf8Util
{
#if NET8_0_OR_GREATER
    /// <summary>Below this, <see cref="Encoding.UTF8"/> is as fast: the fast path pays a counting pass.</summary>
    internal const int MostlyAsciiMinLength = 128;
#endif

    /// <summary>
    /// Decodes UTF-8 the way the WHATWG "UTF-8 decode" does: invalid sequences become U+FFFD.
    /// </summary>
    public static unsafe string GetString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }
#if NETSTANDARD2_0
        fixed (byte* p = utf8)
        {
            return Encoding.UTF8.GetString(p, utf8.Length);
        }
#else
#if NET8_0_OR_GREATER
        if (utf8.Length >= MostlyAsciiMinLength && Vector256.IsHardwareAccelerated && TryGetMostlyAsciiString(utf8, out string? text))
        {
            return text;
        }
#endif
        return Encoding.UTF8.GetString(utf8);
#endif
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// The string of valid, mostly ASCII UTF-8 (an answer's text: English with the odd accent or
    /// emoji), in one pass that counts its UTF-16 length and one that widens 32 ASCII bytes at a
    /// time and decodes the other sequences in between. <see cref="Encoding.UTF8"/> validates in a
    /// pass of its own and leaves its vector loop at every non-ASCII character; over the benchmark's
    /// 363 KB text (one non-ASCII character per ~160 bytes) it takes ~3x as long. False (nothing to
    /// use) for text that is not mostly ASCII, or for invalid UTF-8, which
    /// <see cref="Encoding.UTF8"/> replaces as the WHATWG decoder does.
    /// </summary>
    internal static unsafe bool TryGetMostlyAsciiString(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out string? text)
    {
        text = null;
        fixed (byte* source = utf8)
        {
            int length = utf8.Length;

            // Valid UTF-8 has one UTF-16 unit per byte that is not a continuation byte, and a
            // second one for each four-byte sequence (a surrogate pair).
            int continuation = 0;
            int fourByte = 0;
            int i = 0;
            for (; i <= length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                Vector256<byte> v = Vector256.Load(source + i);
                uint high = v.ExtractMostSignificantBits();
                if (high != 0)
                {
                    // Continuation bytes are 0x80..0xBF: as signed bytes, below -64.
                    continuation += BitOperations.PopCount(Vector256.LessThan(v.AsSByte(), Vector256.Create((sbyte)-64)).ExtractMostSignificantBits());
                    fourByte += BitOperations.PopCount(Vector256.GreaterThanOrEqual(v, Vector256.Create((byte)0xF0)).ExtractMostSignificantBits());
                }
            }

            for (; i < length; i++)
            {
                byte b = source[i];
                continuation += (b & 0xC0) == 0x80 ? 1 : 0;
                fourByte += b >= 0xF0 ? 1 : 0;
            }

            // Not mostly ASCII (CJK, Cyrillic, ...): the vector loop would leave at every character.
            if (continuation > length / 8)
            {
                return false;
            }

            bool valid = false;
            string result = string.Create(length - continuation + fourByte, (Source: (nint)source, Length: length, Valid: (nint)(&valid)), static (chars, s) =>
            {
                fixed (char* destination = chars)
                {
                    *(bool*)s.Valid = TryWidenMostlyAscii((byte*)s.Source, s.Length, destination, chars.Length);
                }
            });
            text = valid ? result : null;
            return valid;
        }
    }

    /// <summary>
    /// Writes exactly <paramref name="charCount"/> UTF-16 units for the <paramref name="length"/>
    /// bytes, or returns false at the first invalid sequence (or a count that does not match).
    /// Never writes past <paramref name="charCount"/> units.
    /// </summary>
    private static unsafe bool TryWidenMostlyAscii(byte* source, int length, char* destination, int charCount)
    {
        byte* src = source;
        byte* srcEnd = source + length;
        char* dst = destination;
        char* dstEnd = destination + charCount;
        while (true)
        {
            // ASCII, 32 bytes at a time; the units after the first non-ASCII byte are overwritten.
            while (srcEnd - src >= Vector256<byte>.Count && dstEnd - dst >= Vector256<byte>.Count)
            {
                Vector256<byte> v = Vector256.Load(src);
                (Vector256<ushort> lower, Vector256<ushort> upper) = Vector256.Widen(v);
                lower.Store((ushort*)dst);
                upper.Store((ushort*)dst + Vector256<ushort>.Count);
                uint high = v.ExtractMostSignificantBits();
                if (high == 0)
                {
                    src += Vector256<byte>.Count;
                    dst += Vector256<byte>.Count;
                    continue;
                }

                int ascii = BitOperations.TrailingZeroCount(high);
                src += ascii;
                dst += ascii;
                break;
            }

            if (src == srcEnd)
            {
                return dst == dstEnd;
            }

            // One byte or sequence at a time, until the next ASCII byte with room for a vector.
            do
            {
                uint b0 = *src;
                if (b0 < 0x80)
                {
                    if (dst == dstEnd)
                    {
                        return false;
                    }

                    *dst++ = (char)b0;
                    src++;
                    continue;
                }

                if (!TryDecodeSequence(src, srcEnd, b0, out uint scalar, out int size))
                {
                    return false;
                }

                src += size;
                if (scalar < 0x10000)
                {
                    if (dst == dstEnd)
                    {
                        return false;
                    }

                    *dst++ = (char)scalar;
                }
                else
                {
                    if (dstEnd - dst < 2)
                    {
                        return false;
                    }

                    scalar -= 0x10000;
                    *dst++ = (char)(0xD800 + (scalar >> 10));
                    *dst++ = (char)(0xDC00 + (scalar & 0x3FF));
                }
            }
            while (src < srcEnd && (*src >= 0x80 || srcEnd - src < Vector256<byte>.Count || dstEnd - dst < Vector256<byte>.Count));

            if (src == srcEnd)
            {
                return dst == dstEnd;
            }
        }
    }

    /// <summary>One well-formed multi-byte sequence (Unicode table 3-7: no overlong forms, surrogates, or scalars above U+10FFFF).</summary>
    private static unsafe bool TryDecodeSequence(byte* src, byte* srcEnd, uint b0, out uint scalar, out int size)
    {
        scalar = 0;
        size = 0;
        long available = srcEnd - src;
        if (b0 is >= 0xC2 and <= 0xDF)
        {
            if (available < 2 || !IsContinuation(src[1]))
            {
                return false;
            }

            scalar = ((b0 & 0x1F) << 6) | (src[1] & 0x3Fu);
            size = 2;
            return true;
        }

        if (b0 is >= 0xE0 and <= 0xEF)
        {
            if (available < 3 || !IsContinuation(src[1]) || !IsContinuation(src[2]))
            {
                return false;
            }

            uint b1 = src[1];
            if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F))
            {
                return false; // overlong, or a surrogate
            }

            scalar = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (src[2] & 0x3Fu);
            size = 3;
            return true;
        }

        if (b0 is >= 0xF0 and <= 0xF4)
        {
            if (available < 4 || !IsContinuation(src[1]) || !IsContinuation(src[2]) || !IsContinuation(src[3]))
            {
                return false;
            }

            uint b1 = src[1];
            if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 > 0x8F))
            {
                return false; // overlong, or above U+10FFFF
            }

            scalar = ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((src[2] & 0x3Fu) << 6) | (src[3] & 0x3Fu);
            size = 4;
            return true;
        }

        return false; // a continuation byte, C0/C1, or F5..FF
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;
#endif
}
