using System;
using System.Text;

namespace SseCore.Internal;

internal static class Utf8Util
{
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
        return Encoding.UTF8.GetString(utf8);
#endif
    }

    /// <summary>Whether any byte is below 0x20 (a control character JSON strings may not hold raw).</summary>
    public static bool ContainsControlByte(ReadOnlySpan<byte> bytes)
    {
#if NET8_0_OR_GREATER
        return bytes.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0;
#else
        foreach (byte b in bytes)
        {
            if (b < 0x20)
            {
                return true;
            }
        }

        return false;
#endif
    }
}
