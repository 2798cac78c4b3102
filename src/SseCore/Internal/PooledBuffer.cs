using System;
using System.Buffers;
using System.Threading;

namespace SseCore.Internal;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>. It is a mutable struct:
/// keep it in a field of a class and call its methods on that field, never on a copy.
/// </summary>
internal struct PooledBuffer
{
#if DEBUG
    // Tiny in DEBUG so every test run exercises the grow path.
    private const int InitialSize = 1;
#else
    private const int InitialSize = 256;
#endif

    /// <summary>Arrays rented by all buffers and not yet returned (process-wide), so tests can see that every path returns them.</summary>
    private static long s_outstanding;

    private byte[]? _array;
    private int _length;

    /// <summary>How many arrays are rented by buffers and not returned, process-wide. Only grows and releases change it (not per event).</summary>
    internal static long OutstandingRentals => Interlocked.Read(ref s_outstanding);

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Span => _array is null ? default : new ReadOnlySpan<byte>(_array, 0, _length);

    public void Clear() => _length = 0;

    public void Set(ReadOnlySpan<byte> bytes)
    {
        _length = 0;
        Append(bytes);
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        int needed = _length + bytes.Length;
        if (_array is null || needed > _array.Length)
        {
            Grow(needed);
        }

        bytes.CopyTo(new Span<byte>(_array, _length, bytes.Length));
        _length = needed;
    }

    /// <summary>A writable span of <paramref name="size"/> bytes after the content; <see cref="Advance"/> commits what was written.</summary>
    public Span<byte> GetTail(int size)
    {
        int needed = _length + size;
        if (_array is null || needed > _array.Length)
        {
            Grow(needed);
        }

        return new Span<byte>(_array, _length, size);
    }

    /// <summary>Commits <paramref name="count"/> bytes written to the span <see cref="GetTail"/> gave.</summary>
    public void Advance(int count) => _length += count;

    public void Append(byte value)
    {
        if (_array is null || _length == _array.Length)
        {
            Grow(_length + 1);
        }

        _array![_length++] = value;
    }

    private void Grow(int needed)
    {
        int size = _array is null ? InitialSize : _array.Length * 2;
        if (size < needed)
        {
            size = needed;
        }

        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        if (_array is not null)
        {
            new ReadOnlySpan<byte>(_array, 0, _length).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_array);
        }
        else
        {
            Interlocked.Increment(ref s_outstanding);
        }

        _array = next;
    }

    /// <summary>Returns the rented array to the pool; the buffer is empty and usable afterwards.</summary>
    public void Release()
    {
        byte[]? array = _array;
        _array = null;
        _length = 0;
        if (array is not null)
        {
            Interlocked.Decrement(ref s_outstanding);
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
