using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace SseCore.Tests.Infrastructure;

/// <summary>
/// A read-only stream over <paramref name="data"/> whose reads return at most the given piece
/// sizes, in order: one piece per read (a caller's smaller buffer gets the rest of the piece next
/// time), 0-byte pieces skipped (a 0-byte read is the end). Reads complete synchronously.
/// Shared by the tests and the fuzz targets (linked into fuzz/SseCore.Fuzz).
/// </summary>
public sealed class PieceStream(byte[] data, IReadOnlyList<int> sizes) : Stream
{
    private int _position;
    private int _piece;
    private int _pending;

    /// <summary>A stream returning <paramref name="pieces"/>, one per read.</summary>
    public static PieceStream Of(IReadOnlyList<byte[]> pieces)
    {
        var sizes = new int[pieces.Count];
        var data = new List<byte>();
        for (int i = 0; i < pieces.Count; i++)
        {
            sizes[i] = pieces[i].Length;
            data.AddRange(pieces[i]);
        }

        return new PieceStream(data.ToArray(), sizes);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        while (_pending == 0 && _piece < sizes.Count)
        {
            _pending = sizes[_piece++];
        }

        int size = Math.Min(Math.Min(_pending, buffer.Length), data.Length - _position);
        data.AsSpan(_position, size).CopyTo(buffer);
        _pending -= size;
        _position += size;
        return size;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
