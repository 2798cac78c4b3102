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
}
