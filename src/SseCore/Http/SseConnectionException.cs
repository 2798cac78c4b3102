using System;
using System.Net;
using System.Net.Http;

namespace SseCore;

/// <summary>Why a <see cref="ReconnectingSseReader"/> stopped trying.</summary>
public enum SseConnectionFailure
{
    /// <summary>The server answered a status that is neither 200, 204 nor retryable (see <see cref="SseReconnectOptions.IsRetryableStatus"/>).</summary>
    HttpStatus,

    /// <summary>The server answered 200 with a content type other than <c>text/event-stream</c>.</summary>
    ContentType,

    /// <summary><see cref="SseReconnectOptions.MaxAttempts"/> attempts in a row failed; the last failure is the inner exception.</summary>
    AttemptsExhausted,
}

/// <summary>
/// A <see cref="ReconnectingSseReader"/> cannot (or may no longer) connect to the event source:
/// the spec's "fail the connection". The reader does not reconnect after it.
/// </summary>
public sealed class SseConnectionException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why the reader stopped.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="httpStatus">The response's status, when there was a response.</param>
    /// <param name="mediaType">The response's media type, when there was a response.</param>
    /// <param name="attempts">How many connection attempts in a row had failed.</param>
    /// <param name="innerException">The last failure, if any.</param>
    public SseConnectionException(SseConnectionFailure failure, string message, int? httpStatus, string? mediaType, int attempts, Exception? innerException = null)
#if NET5_0_OR_GREATER
        : base(message, innerException, httpStatus is int s ? (HttpStatusCode)s : null)
#else
        : base(message, innerException)
#endif
    {
        Failure = failure;
        HttpStatus = httpStatus;
        MediaType = mediaType;
        Attempts = attempts;
    }

    /// <summary>Why the reader stopped.</summary>
    public SseConnectionFailure Failure { get; }

    /// <summary>
    /// The status of the response that was refused, when there was one. On every target; the
    /// inherited <c>HttpRequestException.StatusCode</c> is set too by the .NET 5+ builds (the
    /// netstandard2.0 build cannot set it).
    /// </summary>
    public int? HttpStatus { get; }

    /// <summary>The media type of the response that was refused, when there was one.</summary>
    public string? MediaType { get; }

    /// <summary>How many connection attempts in a row had failed.</summary>
    public int Attempts { get; }
}
