using System;
using System.Buffers;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using NetSse = System.Net.ServerSentEvents;

namespace SseCore.Benchmarks;

/// <summary>
/// Checks run in every [GlobalSetup] before anything is timed: a benchmark whose parser
/// disagrees with the generator (event count, type count, data bytes, or the digest of every
/// event's type and data) throws, and BenchmarkDotNet reports it instead of a number.
/// </summary>
internal static class Verify
{
    public static void Same(string benchmark, Tally actual, Expected expected)
    {
        if (actual != expected.Tally)
        {
            throw new InvalidOperationException($"{benchmark}: got {actual}, expected {expected.Tally}.");
        }
    }

    public static void Same(string benchmark, Task<Tally> actual, Expected expected) =>
        Same(benchmark, actual.GetAwaiter().GetResult(), expected);

    /// <summary>The digest of every event's type and data, by SseCore over a span and over a sequence, and by System.Net.ServerSentEvents.</summary>
    public static void Digests(Payload payload, ReadOnlySequence<byte> sequence, SseParserOptions? options = null)
    {
        ulong expected = payload.Expected.Digest;
        Check("SseCore (span)", DigestSseCore(new SseTokenizer(payload.Bytes.AsSpan(), true, new SseParserState(options))), expected);
        Check("SseCore (sequence)", DigestSseCore(new SseTokenizer(sequence, true, new SseParserState(options))), expected);
        Check("System.Net.ServerSentEvents", DigestPeer(new MemoryStream(payload.Bytes, writable: false)), expected);
    }

    private static void Check(string who, ulong actual, ulong expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{who}: event digest {actual:X16}, expected {expected:X16}.");
        }
    }

    private static ulong DigestSseCore(SseTokenizer tokenizer)
    {
        var digest = new EventDigest();
        while (tokenizer.TryRead(out SseEvent e))
        {
            digest.Add(e.EventType, e.Data);
        }

        tokenizer.State.Dispose();
        return digest.Value;
    }

    private static ulong DigestPeer(Stream stream)
    {
        var box = new DigestBox();
        foreach (NetSse.SseItem<int> item in NetSse.SseParser.Create(stream, box.Add).Enumerate())
        {
            _ = item;
        }

        return box.Digest.Value;
    }

    private sealed class DigestBox
    {
        public EventDigest Digest;

        public int Add(string type, ReadOnlySpan<byte> data)
        {
            Digest.Add(Encoding.UTF8.GetBytes(type), data);
            return 0;
        }
    }
}

/// <summary>A read-only stream over an array whose every read returns at most <paramref name="chunk"/> bytes, sync or async.</summary>
internal sealed class ChunkedReadStream(byte[] bytes, int chunk) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public void Rewind() => _position = 0;

    public override int Read(Span<byte> buffer)
    {
        int count = Math.Min(Math.Min(buffer.Length, chunk), bytes.Length - _position);
        if (count <= 0)
        {
            return 0;
        }

        bytes.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int ReadByte() => _position < bytes.Length ? bytes[_position++] : -1;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, System.Threading.CancellationToken cancellationToken = default) =>
        new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, System.Threading.CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
