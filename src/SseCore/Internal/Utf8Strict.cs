using System;
using System.Text;

namespace SseCore.Internal;

/// <summary>
/// UTF-16 to UTF-8 without allocating, throwing <see cref="EncoderFallbackException"/> for an
/// unpaired surrogate instead of writing U+FFFD: a writer must not change a value silently.
/// </summary>
internal static class Utf8Strict
{
    private static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static unsafe int GetByteCount(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }
#if NETSTANDARD2_0
        fixed (char* p = text)
        {
            return Encoding.GetByteCount(p, text.Length);
        }
#else
        return Encoding.GetByteCount(text);
#endif
    }

    public static unsafe int GetBytes(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.IsEmpty)
        {
            return 0;
        }
#if NETSTANDARD2_0
        fixed (char* p = text)
        fixed (byte* d = destination)
        {
            return Encoding.GetBytes(p, text.Length, d, destination.Length);
        }
#else
        return Encoding.GetBytes(text, destination);
#endif
    }
}
