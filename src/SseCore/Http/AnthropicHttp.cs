using System;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Anthropic;

namespace SseCore;

/// <summary>HttpClient glue for streaming Messages API responses.</summary>
public static class AnthropicHttp
{
    /// <summary>How much of an error response's body is read: enough for any API error, bounded against a misbehaving proxy.</summary>
    private const int MaxErrorBodySize = 64 * 1024;

    /// <summary>How much of a success that is not an event stream is read for the exception's excerpt.</summary>
    private const int MaxExcerptBodySize = 4 * 1024;

    /// <summary>How many characters of that body the excerpt keeps.</summary>
    private const int MaxExcerptLength = 1000;

    /// <summary>
    /// Sends a streaming Messages request with <see cref="HttpCompletionOption.ResponseHeadersRead"/>
    /// (so the body is read as it arrives, never buffered whole) and returns its stream.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="request">A <c>POST /v1/messages</c> request whose body has <c>"stream": true</c>.</param>
    /// <param name="options">
    /// SSE limits and <see cref="SseParserOptions.IdleTimeout"/> (a stalled body, or a stalled
    /// error body, ends instead of hanging); null for the defaults. The wait for the response
    /// headers is bounded by <see cref="HttpClient.Timeout"/>, not by the idle timeout.
    /// </param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The message stream; dispose it to release the connection.</returns>
    /// <exception cref="AnthropicApiException">The API answered with an error status.</exception>
    /// <exception cref="AnthropicUnexpectedContentTypeException">The response is not <c>text/event-stream</c>.</exception>
    public static async Task<MessageStream> SendMessageStreamAsync(this HttpClient client, HttpRequestMessage request, SseParserOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (client is null)
        {
            throw new ArgumentNullException(nameof(client));
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.IO.IOException)
        {
            // No response at all (refused, reset before the headers): nothing was received.
            throw new AnthropicStreamInterruptedException($"The request failed before a response arrived: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout (not the caller's token): a stall, reported as a timeout.
            throw new AnthropicStreamInterruptedException($"The request timed out before a response arrived: {ex.Message}", ex.InnerException as TimeoutException ?? new TimeoutException(ex.Message, ex));
        }

        return await MessageStream.FromResponseAsync(response, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a response's headers say about retrying: <c>request-id</c>, <c>retry-after-ms</c>/<c>retry-after</c> and <c>x-should-retry</c>.</summary>
    internal readonly struct RetryHeaders
    {
        public RetryHeaders(HttpResponseMessage response)
        {
            RequestId = response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null;
            RetryAfter = ReadRetryAfter(response);
            ShouldRetry = response.Headers.TryGetValues("x-should-retry", out var values) && values.FirstOrDefault() is { } value
                ? string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase) ? true
                : string.Equals(value.Trim(), "false", StringComparison.OrdinalIgnoreCase) ? false : null
                : null;
        }

        public string? RequestId { get; }

        public TimeSpan? RetryAfter { get; }

        public bool? ShouldRetry { get; }

        /// <summary>Adds what the headers say to an exception that does not know it yet.</summary>
        public void ApplyTo(AnthropicException exception)
        {
            exception.RequestId ??= RequestId;
            exception.RetryAfter ??= RetryAfter;
            // Only the error response's own header: a 200 stream's headers say nothing about an error event inside it.
            if (exception is AnthropicApiException { StatusCode: not 200 } api)
            {
                api.ShouldRetry ??= ShouldRetry;
            }
        }

        private static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
        {
            // retry-after-ms (milliseconds, fractional allowed) is the more precise of the two, as the SDKs read it.
            if (response.Headers.TryGetValues("retry-after-ms", out var ms) &&
                double.TryParse(ms.FirstOrDefault(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double milliseconds) &&
                milliseconds >= 0 && milliseconds < TimeSpan.MaxValue.TotalMilliseconds)
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }

            return RetryAfterHeader.Read(response);
        }
    }

    /// <summary>
    /// Throws for an error status (as the API's typed error) or a content type that is not an event
    /// stream (with the start of its body). The body is read bounded in size and, when
    /// <see cref="SseParserOptions.IdleTimeout"/> is set, in time: a body that stalls or breaks is
    /// reported with what arrived.
    /// </summary>
    internal static async Task EnsureEventStreamAsync(HttpResponseMessage response, SseParserOptions? options, CancellationToken cancellationToken)
    {
        var headers = new RetryHeaders(response);
        TimeSpan idle = options?.IdleTimeout ?? Timeout.InfiniteTimeSpan;
        if (!response.IsSuccessStatusCode)
        {
            byte[] body = await ReadCappedAsync(response.Content, MaxErrorBodySize, idle, cancellationToken).ConfigureAwait(false);
            AnthropicApiException error = CreateApiError((int)response.StatusCode, body, headers.RequestId);
            headers.ApplyTo(error);
            throw error;
        }

        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(mediaType, SseWriter.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            byte[] body = await ReadCappedAsync(response.Content, MaxExcerptBodySize, idle, cancellationToken).ConfigureAwait(false);
            string excerpt = Encoding.UTF8.GetString(body);
            if (excerpt.Length > MaxExcerptLength)
            {
                excerpt = excerpt.Substring(0, MaxExcerptLength);
            }

            var error = new AnthropicUnexpectedContentTypeException((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), excerpt);
            headers.ApplyTo(error);
            throw error;
        }
    }

    /// <summary>The error type the API uses for a status, for bodies that do not say (as the official SDKs map them).</summary>
    private static ErrorType ErrorTypeForStatus(int status) => status switch
    {
        400 => ErrorType.InvalidRequestError,
        401 => ErrorType.AuthenticationError,
        402 => ErrorType.BillingError,
        403 => ErrorType.PermissionError,
        404 => ErrorType.NotFoundError,
        409 => ErrorType.ConflictError,
        413 => ErrorType.RequestTooLarge,
        429 => ErrorType.RateLimitError,
        504 => ErrorType.TimeoutError,
        529 => ErrorType.OverloadedError,
        >= 500 => ErrorType.ApiError,
        _ => ErrorType.InvalidRequestError,
    };

    /// <summary>Reads at most <paramref name="max"/> bytes of a body; what arrived when it stalls past <paramref name="idleTimeout"/>.</summary>
    private static async Task<byte[]> ReadCappedAsync(HttpContent content, int max, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        // The error path: a linked source per body is fine here.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
#if NET5_0_OR_GREATER
        using System.IO.Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
#else
        using System.IO.Stream stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
#endif
        byte[] buffer = new byte[max];
        int total = 0;
        try
        {
            while (total < max)
            {
                // Reset by every read that returned bytes, like the event stream's idle timeout.
                idle.CancelAfter(idleTimeout);
#if NET5_0_OR_GREATER
                int n = await stream.ReadAsync(buffer.AsMemory(total, max - total), idle.Token).ConfigureAwait(false);
#else
                int n = await stream.ReadAsync(buffer, total, max - total, idle.Token).ConfigureAwait(false);
#endif
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Stalled: report what arrived.
        }
        catch (Exception ex) when (ex is HttpRequestException or System.IO.IOException)
        {
            // Cut short: the status is known, report what arrived.
        }

        Array.Resize(ref buffer, total);
        return buffer;
    }

    /// <summary>Reads an Anthropic error body (<c>{"type":"error","error":{"type","message"},"request_id"}</c>).</summary>
    internal static AnthropicApiException CreateApiError(int status, byte[] body, string? headerRequestId)
    {
        ErrorType? type = null;
        string? message = null;
        string? requestId = null;
        string? details = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("error"u8))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            reader.Skip();
                            continue;
                        }

                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            string name = reader.GetString()!;
                            reader.Read();
                            if (name == "type" && reader.TokenType == JsonTokenType.String)
                            {
                                type = new ErrorType(reader.GetString()!);
                            }
                            else if (name == "message" && reader.TokenType == JsonTokenType.String)
                            {
                                message = reader.GetString();
                            }
                            else if (name == "details" && reader.TokenType != JsonTokenType.Null)
                            {
                                int start = (int)reader.TokenStartIndex;
                                reader.Skip();
                                details = Encoding.UTF8.GetString(body, start, (int)reader.BytesConsumed - start);
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }
                    }
                    else if (reader.ValueTextEquals("request_id"u8))
                    {
                        reader.Read();
                        requestId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not an Anthropic error body (a proxy's HTML page, invalid UTF-8): reported below as is.
            type = null;
        }

        if (type is null)
        {
            string text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 500));
            return new AnthropicApiException(ErrorTypeForStatus(status), $"HTTP {status}: {text}", headerRequestId, status);
        }

        return new AnthropicApiException(type.Value, message ?? string.Empty, requestId ?? headerRequestId, status) { DetailsJson = details };
    }
}
