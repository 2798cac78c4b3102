using System;
#if NET8_0_OR_GREATER
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
#endif

namespace SseCore.Internal;

/// <summary>
/// Unescapes the content of a JSON string that <c>Utf8JsonReader</c> already validated (so every
/// escape is well formed). A lone surrogate escape becomes U+FFFD, as a UTF-8 decoder would make it.
/// The destination must not overlap the source, and its bytes past the count returned (up to the
/// source's length) may be overwritten.
/// </summary>
internal static class JsonUnescaper
{
    public static int Unescape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        int i = 0;
        while (i < source.Length)
        {
#if NET8_0_OR_GREATER
            // 32 bytes at a time, copied as they are up to the next backslash (the bytes after it
            // are overwritten): no search and copy call per stretch between escapes. The output is
            // never longer than the input read, so the destination has room wherever the source does.
            if (Vector256.IsHardwareAccelerated)
            {
                ref byte src = ref MemoryMarshal.GetReference(source);
                ref byte dst = ref MemoryMarshal.GetReference(destination);
                while (source.Length - i >= Vector256<byte>.Count && destination.Length - written >= Vector256<byte>.Count)
                {
                    Vector256<byte> v = Vector256.LoadUnsafe(ref src, (nuint)i);
                    v.StoreUnsafe(ref dst, (nuint)written);
                    uint found = Vector256.Equals(v, Vector256.Create((byte)'\\')).ExtractMostSignificantBits();
                    if (found == 0)
                    {
                        i += Vector256<byte>.Count;
                        written += Vector256<byte>.Count;
                        continue;
                    }

                    int at = BitOperations.TrailingZeroCount(found);
                    i += at;
                    written += at;
                    goto Escape;
                }

                // Fewer than 32 bytes left (the end of every value, and all of a short one): one
                // at a time, which for so few costs less than a search and a copy call.
                while (i < source.Length)
                {
                    byte b = source[i];
                    if (b == (byte)'\\')
                    {
                        goto Escape;
                    }

                    destination[written++] = b;
                    i++;
                }

                break;
            }
#endif

            int backslash = source.Slice(i).IndexOf((byte)'\\');
            if (backslash < 0)
            {
                source.Slice(i).CopyTo(destination.Slice(written));
                written += source.Length - i;
                break;
            }

            source.Slice(i, backslash).CopyTo(destination.Slice(written));
            written += backslash;
            i += backslash;
#if NET8_0_OR_GREATER
        Escape:
#endif
            i++;
            byte e = source[i++];
            switch (e)
            {
                case (byte)'n': destination[written++] = (byte)'\n'; break;
                case (byte)'t': destination[written++] = (byte)'\t'; break;
                case (byte)'r': destination[written++] = (byte)'\r'; break;
                case (byte)'b': destination[written++] = (byte)'\b'; break;
                case (byte)'f': destination[written++] = (byte)'\f'; break;
                case (byte)'u':
                    int cp = Hex4(source.Slice(i));
                    i += 4;
                    if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= source.Length && source[i] == (byte)'\\' && source[i + 1] == (byte)'u')
                    {
                        int low = Hex4(source.Slice(i + 2));
                        if (low >= 0xDC00 && low <= 0xDFFF)
                        {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                            i += 6;
                        }
                    }

                    if (cp >= 0xD800 && cp <= 0xDFFF)
                    {
                        cp = 0xFFFD;
                    }

                    written += WriteUtf8(cp, destination.Slice(written));
                    break;
                default:
                    // '"', '\\' and '/' stand for themselves.
                    destination[written++] = e;
                    break;
            }
        }

        return written;
    }

    private static int Hex4(ReadOnlySpan<byte> s)
    {
        int v = 0;
        for (int k = 0; k < 4; k++)
        {
            int c = s[k];
            int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
            v = (v << 4) | d;
        }

        return v;
    }

    private static int WriteUtf8(int cp, Span<byte> d)
    {
        if (cp < 0x80)
        {
            d[0] = (byte)cp;
            return 1;
        }

        if (cp < 0x800)
        {
            d[0] = (byte)(0xC0 | (cp >> 6));
            d[1] = (byte)(0x80 | (cp & 0x3F));
            return 2;
        }

        if (cp < 0x10000)
        {
            d[0] = (byte)(0xE0 | (cp >> 12));
            d[1] = (byte)(0x80 | ((cp >> 6) & 0x3F));
            d[2] = (byte)(0x80 | (cp & 0x3F));
            return 3;
        }

        d[0] = (byte)(0xF0 | (cp >> 18));
        d[1] = (byte)(0x80 | ((cp >> 12) & 0x3F));
        d[2] = (byte)(0x80 | ((cp >> 6) & 0x3F));
        d[3] = (byte)(0x80 | (cp & 0x3F));
        return 4;
    }
}
