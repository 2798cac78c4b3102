using System;

namespace SseCore.Anthropic;

/// <summary>The base of the exceptions of the Anthropic layer; carries the message accumulated so far.</summary>
public class AnthropicException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public AnthropicException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// The message as accumulated up to the failure (text exactly equal to the text deltas fully
    /// received), or null when the failure came before <c>message_start</c> or outside a stream.
    /// </summary>
    public Message? PartialMessage { get; internal set; }

    /// <summary>
    /// Whether sending the same request again may succeed: the API was overloaded, rate limited or
    /// failed on its side, or the connection broke, stalled or ended early. False for errors in the
    /// request (invalid, unauthenticated, forbidden, not found, too large), for a response that is
    /// not what the protocol says, for a limit the response exceeded, and for the caller's own
    /// cancellation. See <see cref="HasReceivedOutput"/> before retrying a request whose partial
    /// answer was already shown.
    /// </summary>
    public virtual bool IsRetryable => false;

    /// <summary>
    /// Whether any output had arrived before the failure: a content delta, or a block that started
    /// with content (its text is in <see cref="PartialMessage"/>). A caller that has shown it may
    /// prefer to keep it rather than retry.
    /// </summary>
    public bool HasReceivedOutput { get; internal set; }

    /// <summary>
    /// How long the API asked to wait before retrying: the response's <c>retry-after-ms</c> or
    /// <c>retry-after</c> header (seconds or an HTTP date); null when it had neither.
    /// </summary>
    public TimeSpan? RetryAfter { get; internal set; }

    /// <summary>The request ID: from the error body, or the response's <c>request-id</c> header; null when unknown.</summary>
    public string? RequestId { get; internal set; }
}

/// <summary>An event's data is not what the Messages streaming protocol says.</summary>
public sealed class AnthropicProtocolException : AnthropicException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="eventType">The SSE event name.</param>
    /// <param name="eventNumber">The event's ordinal in the stream, from 1.</param>
    /// <param name="streamOffset">The stream offset of the event's first byte.</param>
    /// <param name="dataOffset">The offset in the event's data where the problem was found.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="innerException">The JSON reader's exception, if any.</param>
    public AnthropicProtocolException(string eventType, long eventNumber, long streamOffset, long dataOffset, string reason, Exception? innerException)
        : base($"Invalid '{eventType}' event (event #{eventNumber}, at byte offset {streamOffset}, data offset {dataOffset}): {reason}", innerException)
    {
        EventType = eventType;
        EventNumber = eventNumber;
        StreamOffset = streamOffset;
        DataOffset = dataOffset;
    }

    /// <summary>The SSE event name.</summary>
    public string EventType { get; }

    /// <summary>The event's ordinal in the stream, from 1.</summary>
    public long EventNumber { get; }

    /// <summary>The stream offset of the event's first byte.</summary>
    public long StreamOffset { get; }

    /// <summary>The offset in the event's data where the problem was found.</summary>
    public long DataOffset { get; }
}

/// <summary>
/// The API reported an error: an <c>error</c> event mid-stream (after HTTP 200), or a non-2xx
/// response with an Anthropic error body.
/// </summary>
public sealed class AnthropicApiException : AnthropicException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorType"><c>error.type</c>.</param>
    /// <param name="errorMessage"><c>error.message</c>.</param>
    /// <param name="requestId"><c>request_id</c> from the body or the <c>request-id</c> header.</param>
    /// <param name="statusCode">The HTTP status (200 for an error event mid-stream), if known.</param>
    public AnthropicApiException(ErrorType errorType, string errorMessage, string? requestId, int? statusCode)
        : base($"{errorType.Value}: {errorMessage}" + (requestId is null ? string.Empty : $" (request {requestId})"))
    {
        ErrorType = errorType;
        ErrorMessage = errorMessage;
        RequestId = requestId;
        StatusCode = statusCode;
    }

    /// <summary>
    /// Whether a retry may succeed. The API's <c>x-should-retry</c> header decides when present
    /// (as the official SDKs do); otherwise an HTTP error status does — 408, 409, 429 and 5xx
    /// (incl. 529) are retryable — and an <c>error</c> event mid-stream (HTTP 200) is retryable
    /// for <c>overloaded_error</c>, <c>api_error</c>, <c>rate_limit_error</c> and <c>timeout_error</c>.
    /// </summary>
    public override bool IsRetryable =>
        ShouldRetry ?? (StatusCode is int status and not 200
            ? status is 408 or 409 or 429 or >= 500
            : ErrorType.Kind is ErrorTypeKind.OverloadedError or ErrorTypeKind.ApiError or ErrorTypeKind.RateLimitError or ErrorTypeKind.TimeoutError);

    /// <summary>The response's <c>x-should-retry</c> header (<c>true</c>/<c>false</c>), when it had one.</summary>
    public bool? ShouldRetry { get; internal set; }

    /// <summary><c>error.type</c>, e.g. <see cref="ErrorTypeKind.OverloadedError"/>.</summary>
    public ErrorType ErrorType { get; }

    /// <summary><c>error.message</c>.</summary>
    public string ErrorMessage { get; }

    /// <summary>The HTTP status: 200 for an error event mid-stream, the response's status otherwise.</summary>
    public int? StatusCode { get; }

    /// <summary><c>error.details</c> as raw JSON, when present.</summary>
    public string? DetailsJson { get; internal set; }
}

/// <summary>The stream broke (I/O error, connection reset) or was cancelled before <c>message_stop</c>.</summary>
public sealed class AnthropicStreamInterruptedException : AnthropicException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause: an <see cref="System.IO.IOException"/>, an <see cref="OperationCanceledException"/>, ...</param>
    public AnthropicStreamInterruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether the cause was cancellation (<see cref="OperationCanceledException"/>).</summary>
    public bool IsCancellation => InnerException is OperationCanceledException;

    /// <summary>Whether the cause was a stall past <see cref="SseParserOptions.IdleTimeout"/> (<see cref="SseIdleTimeoutException"/>).</summary>
    public bool IsIdleTimeout => InnerException is SseIdleTimeoutException;

    /// <summary>
    /// True when the connection broke or stalled; false for the caller's cancellation and for a
    /// limit the response exceeded (<see cref="SseLimitExceededException"/>: the same response
    /// would exceed it again).
    /// </summary>
    public override bool IsRetryable => !IsCancellation && InnerException is not SseLimitExceededException;
}

/// <summary>
/// A successful response that is not <c>text/event-stream</c> (a JSON message because
/// <c>"stream": true</c> was not sent, a proxy's HTML page): it carries the status, the content
/// type and the start of the body.
/// </summary>
public sealed class AnthropicUnexpectedContentTypeException : AnthropicException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="contentType">The <c>Content-Type</c> header, or null when there was none.</param>
    /// <param name="bodyExcerpt">The start of the body, decoded as UTF-8 (bounded).</param>
    public AnthropicUnexpectedContentTypeException(int statusCode, string? contentType, string bodyExcerpt)
        : base($"Expected a text/event-stream response, got '{contentType ?? "no content type"}' (HTTP {statusCode}). Was \"stream\": true sent? The body starts: {OneLine(bodyExcerpt)}")
    {
        StatusCode = statusCode;
        ContentType = contentType;
        BodyExcerpt = bodyExcerpt;
    }

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>The <c>Content-Type</c> header as sent, or null when there was none.</summary>
    public string? ContentType { get; }

    /// <summary>The start of the body (at most 4 KiB read, at most 1,000 characters kept), decoded as UTF-8.</summary>
    public string BodyExcerpt { get; }

    /// <summary>The excerpt as it goes into <see cref="Exception.Message"/>: one line, at most 200 characters.</summary>
    private static string OneLine(string excerpt)
    {
        string line = excerpt.Length > 200 ? excerpt.Substring(0, 200) + "..." : excerpt;
        return line.Replace('\r', ' ').Replace('\n', ' ');
    }
}

/// <summary>The stream ended cleanly but without <c>message_stop</c>: the message is incomplete.</summary>
public sealed class AnthropicStreamTruncatedException : AnthropicException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    public AnthropicStreamTruncatedException(string message)
        : base(message)
    {
    }

    /// <summary>True: a body that ends before <c>message_stop</c> is a broken connection that closed cleanly.</summary>
    public override bool IsRetryable => true;
}
