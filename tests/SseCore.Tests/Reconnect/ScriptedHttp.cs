using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace SseCore.Tests.Reconnect;

/// <summary>An <see cref="HttpMessageHandler"/> that answers each request with what the test says, and records the requests.</summary>
public sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _respond;

    public ScriptedHandler(Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) => _respond = respond;

    public ScriptedHandler(Func<int, HttpRequestMessage, HttpResponseMessage> respond)
        : this((n, r, _) => Task.FromResult(respond(n, r)))
    {
    }

    /// <summary>The Last-Event-ID header of each request, null when absent.</summary>
    public List<string?> LastEventIds { get; } = [];

    public List<HttpRequestHeaders> Headers { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        LastEventIds.Add(request.Headers.TryGetValues("Last-Event-ID", out var values) ? values.Single() : null);
        Headers.Add(request.Headers);
        return _respond(LastEventIds.Count - 1, request, cancellationToken);
    }
}

/// <summary>Responses and bodies for the scripted handler.</summary>
public static class Responses
{
    public static HttpResponseMessage EventStream(byte[] body, int? breakAt = null, int chunk = 7, bool hangAtEnd = false) =>
        EventStream(new BreakingStream(body, breakAt, chunk, hangAtEnd));

    public static HttpResponseMessage EventStream(Stream body)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream") { CharSet = "utf-8" };
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    public static HttpResponseMessage Status(int status, string mediaType = "text/plain", TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("no", Encoding.UTF8, mediaType) };
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(delay);
        }

        return response;
    }

    /// <summary>Events with IDs 1..count written by <see cref="SseWriter"/>; the server resends those after a Last-Event-ID.</summary>
    public static byte[] Events(int firstId, int lastId, Func<int, string>? data = null, long? retry = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SseWriter(buffer);
        if (retry is long ms)
        {
            writer.WriteRetry(ms);
        }

        for (int id = firstId; id <= lastId; id++)
        {
            writer.WriteEvent(data?.Invoke(id) ?? $"event {id}", id % 3 == 0 ? "tick" : "", id.ToString());
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>A response body that hands out <paramref name="chunk"/> bytes per read and breaks (IOException) after <c>breakAt</c> bytes.</summary>
public sealed class BreakingStream(byte[] data, int? breakAt, int chunk, bool hangAtEnd) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public bool Disposed { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int end = Math.Min(breakAt ?? data.Length, data.Length);
        if (_position >= end && breakAt is not null)
        {
            throw new IOException("The connection was reset (scripted).");
        }

        int n = Math.Min(Math.Min(chunk, buffer.Length), end - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (hangAtEnd && _position >= data.Length)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
