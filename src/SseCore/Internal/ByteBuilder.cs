using System;

namespace SseCore.Internal;

/// <summary>A growable byte array for data the caller keeps (accumulated message text): not pooled.</summary>
internal sealed class ByteBuilder
{
    private byte[] _array = [];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> Span => new(_array, 0, _length);

    public Span<byte> GetTail(int size)
    {
        if (_array.Length - _length < size)
        {
            Array.Resize(ref _array, Math.Max(_array.Length * 2, Math.Max(_length + size, 64)));
        }

        return _array.AsSpan(_length, size);
    }

    public void Advance(int count) => _length += count;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetTail(bytes.Length));
        _length += bytes.Length;
    }

    public override string ToString() => Utf8Util.GetString(Span);
}
