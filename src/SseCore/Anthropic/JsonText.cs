using System;
using System.Runtime.InteropServices;
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>
/// A JSON string value as it is on the wire: the UTF-8 bytes between its quotes, still escaped
/// when <see cref="IsEscaped"/>. Nothing is copied or unescaped until asked.
/// </summary>
/// <remarks>Valid as long as the event it came from (until the next read).</remarks>
[StructLayout(LayoutKind.Auto)] // Pack fields: these views are embedded and zeroed per event.
public readonly ref struct JsonText
{
    internal JsonText(ReadOnlySpan<byte> raw, bool isEscaped)
    {
        RawUtf8 = raw;
        IsEscaped = isEscaped;
        HasValue = true;
    }

    /// <summary>Whether the property was present with a string value (false when absent or <c>null</c>).</summary>
    public bool HasValue { get; }

    /// <summary>The bytes between the quotes, escapes included.</summary>
    public ReadOnlySpan<byte> RawUtf8 { get; }

    /// <summary>Whether <see cref="RawUtf8"/> contains backslash escapes; when false it is the value itself.</summary>
    public bool IsEscaped { get; }

    /// <summary>An upper bound of the unescaped length in bytes (unescaping never grows a string).</summary>
    public int MaxUnescapedLength => RawUtf8.Length;

    /// <summary>
    /// The value as UTF-8 when it needs no unescaping; otherwise false. Use it to take the
    /// zero-copy path and fall back to <see cref="CopyUnescaped(Span{byte})"/>.
    /// </summary>
    /// <param name="utf8">The value.</param>
    /// <returns>Whether the value is available without unescaping.</returns>
    public bool TryGetUnescaped(out ReadOnlySpan<byte> utf8)
    {
        utf8 = IsEscaped ? default : RawUtf8;
        return !IsEscaped;
    }

    /// <summary>Unescapes the value into <paramref name="destination"/>.</summary>
    /// <param name="destination">
    /// At least <see cref="MaxUnescapedLength"/> bytes, not overlapping the value. The bytes after
    /// the ones written, up to <see cref="MaxUnescapedLength"/>, may be overwritten: the copy moves
    /// 32 bytes at a time.
    /// </param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public int CopyUnescaped(Span<byte> destination)
    {
        if (destination.Length < RawUtf8.Length)
        {
            throw new ArgumentException("The destination is shorter than MaxUnescapedLength.", nameof(destination));
        }

        if (!IsEscaped)
        {
            RawUtf8.CopyTo(destination);
            return RawUtf8.Length;
        }

        return JsonUnescaper.Unescape(RawUtf8, destination);
    }

    /// <summary>Whether the (unescaped) value equals <paramref name="utf8"/>.</summary>
    /// <param name="utf8">UTF-8 bytes to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool ValueEquals(ReadOnlySpan<byte> utf8)
    {
        if (!HasValue)
        {
            return false;
        }

        if (!IsEscaped)
        {
            return RawUtf8.SequenceEqual(utf8);
        }

        if (utf8.Length > RawUtf8.Length)
        {
            return false;
        }

        Span<byte> buffer = RawUtf8.Length <= 256 ? stackalloc byte[256] : new byte[RawUtf8.Length];
        int n = JsonUnescaper.Unescape(RawUtf8, buffer);
        return buffer.Slice(0, n).SequenceEqual(utf8);
    }

    /// <summary>The value as a new string (allocates), or null when absent.</summary>
    /// <returns>The string.</returns>
    public string? GetString()
    {
        if (!HasValue)
        {
            return null;
        }

        if (!IsEscaped)
        {
            return Utf8Util.GetString(RawUtf8);
        }

        byte[] buffer = new byte[RawUtf8.Length];
        int n = JsonUnescaper.Unescape(RawUtf8, buffer);
        return Utf8Util.GetString(buffer.AsSpan(0, n));
    }
}
