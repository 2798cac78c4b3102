using SseCore.Cli;

namespace SseCore.Cli.Tests.Infrastructure;

/// <summary>What one in-process run of ssecat produced.</summary>
public sealed record CliResult(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    /// <summary>The stdout lines (split on LF; the final LF ends the last line, it does not start an empty one).</summary>
    public string[] StdoutLines
    {
        get
        {
            string text = StdoutText;
            Assert.True(text.Length == 0 || text.EndsWith('\n'), "output does not end with LF: " + text);
            return text.Length == 0 ? [] : text[..^1].Split('\n');
        }
    }
}

/// <summary>Runs <see cref="SseCat.RunAsync"/> in process over memory streams.</summary>
public static class CliRun
{
    public static Task<CliResult> RunAsync(byte[] stdin, params string[] args) => RunAsync(new MemoryStream(stdin, writable: false), args);

    public static Task<CliResult> RunAsync(string stdin, params string[] args) => RunAsync(Encoding.UTF8.GetBytes(stdin), args);

    public static async Task<CliResult> RunAsync(Stream stdin, params string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter { NewLine = "\n" };
        int exit = await SseCat.RunAsync(args, stdin, stdout, stderr, CancellationToken.None);
        return new CliResult(exit, stdout.ToArray(), stderr.ToString());
    }

    /// <summary>The fixture folder copied next to the test assembly.</summary>
    public static string FixturesDirectory => Path.Combine(AppContext.BaseDirectory, "fixtures", "anthropic");

    public static string Fixture(string name) => Path.Combine(FixturesDirectory, name);

    /// <summary>Bytes from a string in which every char is one byte (so tests can write invalid UTF-8 as \xFF).</summary>
    public static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);
}

/// <summary>
/// A read-only stream that returns at most <c>chunk</c> bytes per read, to cut the input
/// everywhere; with <c>thenThrow</c>, a read after the last byte throws it (a broken connection).
/// </summary>
public sealed class TrickleStream(byte[] data, int chunk, Exception? thenThrow = null) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position == data.Length && thenThrow is not null)
        {
            throw thenThrow;
        }

        int n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
