using System;
#if NET8_0_OR_GREATER
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
#endif
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>
/// The decoder's fast path for <c>content_block_delta</c> in the exact layout the API sends:
/// <c>{"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"…"}}</c>, and
/// the same with <c>input_json_delta</c>/<c>partial_json</c> and <c>thinking_delta</c>/<c>thinking</c>.
/// </summary>
/// <remarks>
/// <para>
/// It either produces exactly the view the general <c>Utf8JsonReader</c> path would produce, or
/// declines (returns false) and lets that path decide — it never throws. It accepts a string only
/// when the reader would: no byte below 0x20, every backslash followed by one of <c>"\/bfnrt</c>
/// or by <c>u</c> and four hex digits (the reader does not validate UTF-8 inside strings, and
/// neither does this). Anything it does not vouch for (whitespace, another key order, leading
/// zeros, a 10-digit index, trailing bytes) is declined. A differential property test holds the
/// two paths to the same result.
/// </para>
/// </remarks>
internal static class CanonicalDelta
{
    public static bool TryDecode(ReadOnlySpan<byte> data, scoped ref AnthropicEvent e)
    {
        ReadOnlySpan<byte> head = "{\"type\":\"content_block_delta\",\"index\":"u8;
        if (!data.StartsWith(head))
        {
            return false;
        }

        int i = head.Length;

        // index: 0, or 1-9 digits without a leading zero (so it fits an int).
        int index = 0;
        int digits = 0;
        while (i < data.Length && (uint)(data[i] - '0') <= 9)
        {
            index = (index * 10) + (data[i] - '0');
            i++;
            digits++;
        }

        if (digits == 0 || digits > 9 || (digits > 1 && data[i - digits] == (byte)'0'))
        {
            return false;
        }

        ReadOnlySpan<byte> rest = data.Slice(i);
        ReadOnlySpan<byte> deltaOpen = ",\"delta\":{\"type\":\""u8;
        if (!rest.StartsWith(deltaOpen))
        {
            return false;
        }

        int deltaStart = i + 1 + "\"delta\":"u8.Length; // the delta object's '{'
        i += deltaOpen.Length;
        rest = data.Slice(i);

        DeltaKind kind;
        int typeLength;
        int valueStart;
        if (rest.StartsWith("text_delta\",\"text\":\""u8))
        {
            kind = DeltaKind.Text;
            typeLength = "text_delta"u8.Length;
            valueStart = i + "text_delta\",\"text\":\""u8.Length;
        }
        else if (rest.StartsWith("input_json_delta\",\"partial_json\":\""u8))
        {
            kind = DeltaKind.InputJson;
            typeLength = "input_json_delta"u8.Length;
            valueStart = i + "input_json_delta\",\"partial_json\":\""u8.Length;
        }
        else if (rest.StartsWith("thinking_delta\",\"thinking\":\""u8))
        {
            kind = DeltaKind.Thinking;
            typeLength = "thinking_delta"u8.Length;
            valueStart = i + "thinking_delta\",\"thinking\":\""u8.Length;
        }
        else
        {
            return false;
        }

        int valueEnd = ScanString(data, valueStart, out bool escaped);

        // After the closing quote: exactly the two closing braces, nothing else.
        if (valueEnd < 0 || data.Length - valueEnd != 3 || data[valueEnd + 1] != (byte)'}' || data[valueEnd + 2] != (byte)'}')
        {
            return false;
        }

        var value = new JsonText(data.Slice(valueStart, valueEnd - valueStart), escaped);
        ref DeltaView d = ref e.DeltaField;
        d.Index = index;
        d.Kind = kind;
        d.TypeName = new JsonText(data.Slice(i, typeLength), false);
        d.RawJson = data.Slice(deltaStart, data.Length - 1 - deltaStart);

        // All three payloads, and the mark: the next decode then knows that these five fields
        // (and Index, Kind) are all this view holds, and leaves the clearing to this method.
        d.Text = kind == DeltaKind.Text ? value : default;
        d.PartialJson = kind == DeltaKind.InputJson ? value : default;
        d.Thinking = kind == DeltaKind.Thinking ? value : default;
        d.IsCanonical = true;

        e.Index = index;
        return true;
    }

    /// <summary>
    /// The offset of the quote that closes the string whose content starts at <paramref name="start"/>,
    /// or -1 when it is not there or the content is not one <c>Utf8JsonReader</c> accepts as is.
    /// </summary>
    private static int ScanString(ReadOnlySpan<byte> data, int start, out bool escaped)
    {
        escaped = false;
        int i = start;
        var stops = new StopFinder(data);
        while (true)
        {
            // The next quote, backslash or control byte: the end, an escape, or a byte the reader rejects.
            i = stops.Next(i);
            if (i < 0)
            {
                return -1;
            }

            byte c = data[i];
            if (c == (byte)'"')
            {
                return i;
            }

            if (c != (byte)'\\' || i + 1 >= data.Length)
            {
                return -1; // a control character, or a backslash at the very end
            }

            escaped = true;
            switch (data[i + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i += 2;
                    break;
                case (byte)'u':
                    if (i + 6 > data.Length || !IsHex(data[i + 2]) || !IsHex(data[i + 3]) || !IsHex(data[i + 4]) || !IsHex(data[i + 5]))
                    {
                        return -1;
                    }

                    i += 6;
                    break;
                default:
                    return -1;
            }
        }
    }

    /// <summary>
    /// Finds the stop bytes (quote, backslash, control byte) of one string in order. On .NET 8+
    /// it keeps the stop mask of the 32-byte block it last loaded, so the stops after an escape
    /// in the same block cost a shift and a bit scan, not another search: validating the escapes
    /// of a value (40 % of text deltas have some) was most of what the scan cost.
    /// </summary>
    private ref struct StopFinder
    {
        private readonly ReadOnlySpan<byte> _data;
#if NET8_0_OR_GREATER
        private int _block; // where the held mask starts, or -1
        private uint _mask; // bit k: the byte at _block + k is a stop byte
#endif

        public StopFinder(ReadOnlySpan<byte> data)
        {
            _data = data;
#if NET8_0_OR_GREATER
            _block = -1;
            _mask = 0;
#endif
        }

        /// <summary>The offset of the first stop byte at or after <paramref name="from"/>, or -1.</summary>
        public int Next(int from)
        {
            if ((uint)from >= (uint)_data.Length)
            {
                return -1;
            }

#if NET8_0_OR_GREATER
            if (Vector256.IsHardwareAccelerated && _data.Length >= Vector256<byte>.Count)
            {
                while (true)
                {
                    if (_block < 0 || from < _block || from >= _block + Vector256<byte>.Count)
                    {
                        // The block at from, or the last 32 bytes (overlapping the one before).
                        _block = Math.Min(from, _data.Length - Vector256<byte>.Count);
                        Vector256<byte> v = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(_data), (nuint)_block);
                        _mask = JsonStringStops.Mask(v);
                    }

                    uint ahead = _mask & (uint.MaxValue << (from - _block));
                    if (ahead != 0)
                    {
                        return _block + BitOperations.TrailingZeroCount(ahead);
                    }

                    from = _block + Vector256<byte>.Count;
                    if (from >= _data.Length)
                    {
                        return -1;
                    }
                }
            }
#endif
            int k = JsonStringStops.IndexOf(_data.Slice(from));
            return k < 0 ? -1 : from + k;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsHex(byte c) => (uint)(c - '0') <= 9 || (uint)((c | 0x20) - 'a') <= 'f' - 'a';
}
