using System;

namespace SseCore.Internal;

/// <summary>
/// A small cache from UTF-8 bytes to the strings they decode to, so that the few event types a
/// stream uses are decoded once (Kestrel reuses header strings the same way).
/// </summary>
internal sealed class StringCache
{
    private const int Capacity = 16;
    private readonly byte[]?[] _keys = new byte[]?[Capacity];
    private readonly string?[] _values = new string?[Capacity];
    private int _next;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        for (int i = 0; i < Capacity; i++)
        {
            byte[]? key = _keys[i];
            if (key is null)
            {
                break;
            }

            if (utf8.SequenceEqual(key))
            {
                return _values[i]!;
            }
        }

        string value = Utf8Util.GetString(utf8);
        if (utf8.Length <= 256)
        {
            // Round-robin replacement keeps a stream with unbounded distinct types bounded.
            _keys[_next] = utf8.ToArray();
            _values[_next] = value;
            _next = (_next + 1) % Capacity;
        }

        return value;
    }
}
