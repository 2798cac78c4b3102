using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Anthropic;

namespace SseCore.Cli.Input;

/// <summary>
/// The URL input: the request that <c>-H</c> and <c>-d</c> describe, sent with
/// <see cref="HttpCompletionOption.ResponseHeadersRead"/> so that the body is read as it
/// arrives, never buffered whole.
/// </summary>
internal static class HttpInput
{
    // What is shown of the body of an error response in the SSE modes.
    private const int ErrorBodyPreview = 300;

    /// <summary>A client for one run: no overall timeout (a stream may last long), a bounded connect.</summary>
    /// <returns>The client; the caller disposes it.</returns>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>
    /// Builds the request: GET, or POST with the <c>-d</c> body (<c>application/json</c> unless a
    /// <c>-H</c> sets the type); the <c>-H</c> headers; <c>Accept: text/event-stream</c> and
    /// <c>User-Agent: ssecat</c> unless given.
    /// </summary>
    /// <param name="options">The options; <see cref="CliOptions.Url"/> is set.</param>
    /// <param name="stdin">Standard input, read for <c>-d @-</c>.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>The request.</returns>
    /// <exception cref="IOException">The body file could not be read.</exception>
    public static async Task<HttpRequestMessage> CreateRequestAsync(CliOptions options, Stream stdin, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(options.Data is null ? HttpMethod.Get : HttpMethod.Post, options.Url);
        try
        {
            if (options.Data is string data)
            {
                byte[] body = data.StartsWith('@')
                    ? await ReadBodyAsync(data.Substring(1), stdin, cancellationToken).ConfigureAwait(false)
                    : Encoding.UTF8.GetBytes(data);
                request.Content = new ByteArrayContent(body);
            }

            bool accept = false, userAgent = false, contentType = false;
            foreach (CliHeader header in options.Headers)
            {
                if (header.IsContentHeader)
                {
                    request.Content!.Headers.TryAddWithoutValidation(header.Name, header.Value);
                    contentType |= Is(header, "Content-Type");
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(header.Name, header.Value);
                    accept |= Is(header, "Accept");
                    userAgent |= Is(header, "User-Agent");
                }
            }

            if (!accept)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            }

            if (!userAgent)
            {
                request.Headers.UserAgent.Add(new ProductInfoHeaderValue("ssecat", null));
            }

            if (request.Content is not null && !contentType)
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends the request for the SSE modes: any 2xx response is read as the event stream,
    /// whatever its content type; any other status is a failure.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, its body not yet read; the caller disposes it.</returns>
    /// <exception cref="IOException">The request failed, or the status is not 2xx (the message shows the start of the body).</exception>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await SendCoreAsync(() => client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken), request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string preview = await ReadPreviewAsync(response, cancellationToken).ConfigureAwait(false);
            string status = $"HTTP {(int)response.StatusCode}" + (string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : $" ({response.ReasonPhrase})");
            throw new IOException($"{request.RequestUri}: {status}" + (preview.Length == 0 ? string.Empty : ": " + preview));
        }
    }

    /// <summary>
    /// Sends the request for the Messages modes through the library's
    /// <see cref="AnthropicHttp.SendMessageStreamAsync"/>.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="request">The request.</param>
    /// <param name="parserOptions">The SSE limits.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The message stream, owning the response.</returns>
    /// <exception cref="AnthropicApiException">The status is not 2xx: the API's error.</exception>
    /// <exception cref="AnthropicException">The response is not an event stream.</exception>
    /// <exception cref="IOException">The request failed.</exception>
    public static Task<MessageStream> SendMessageStreamAsync(HttpClient client, HttpRequestMessage request, SseParserOptions? parserOptions, CancellationToken cancellationToken) =>
        SendCoreAsync(() => client.SendMessageStreamAsync(request, parserOptions, cancellationToken), request, cancellationToken);

    /// <summary>Turns a failure to get a response into an <see cref="IOException"/> that names the URL.</summary>
    private static async Task<T> SendCoreAsync<T>(Func<Task<T>> send, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"{request.RequestUri}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Not ours: the handler's connect timeout.
            throw new IOException($"{request.RequestUri}: {e.Message}", e);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(string path, Stream stdin, CancellationToken cancellationToken)
    {
        if (path == CliOptions.StandardInput)
        {
            using var buffer = new MemoryStream();
            await stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }

        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or ArgumentException)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The start of an error response's body, on one line.</summary>
    private static async Task<string> ReadPreviewAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[ErrorBodyPreview];
        int length = 0;
        try
        {
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The status says enough.
        }

        string text = Encoding.UTF8.GetString(buffer, 0, length);
        var oneLine = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            oneLine.Append(char.IsControl(c) ? ' ' : c);
        }

        return oneLine.ToString().Trim() + (length == buffer.Length ? "..." : string.Empty);
    }

    private static bool Is(CliHeader header, string name) => string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase);
}
