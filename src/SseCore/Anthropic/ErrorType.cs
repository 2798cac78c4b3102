using System;
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>The known values of <see cref="ErrorType"/>.</summary>
public enum ErrorTypeKind
{
    /// <summary>A value this version of the library does not know; see <see cref="ErrorType.Value"/>.</summary>
    Unknown = 0,

    /// <summary><c>invalid_request_error</c>: HTTP 400: the request is malformed.</summary>
    InvalidRequestError,

    /// <summary><c>authentication_error</c>: HTTP 401: the API key is missing or invalid.</summary>
    AuthenticationError,

    /// <summary><c>billing_error</c>: HTTP 402: a billing problem.</summary>
    BillingError,

    /// <summary><c>permission_error</c>: HTTP 403: the key may not use this resource.</summary>
    PermissionError,

    /// <summary><c>not_found_error</c>: HTTP 404: the resource was not found.</summary>
    NotFoundError,

    /// <summary><c>conflict_error</c>: HTTP 409: a conflict.</summary>
    ConflictError,

    /// <summary><c>request_too_large</c>: HTTP 413: the request is too large.</summary>
    RequestTooLarge,

    /// <summary><c>rate_limit_error</c>: HTTP 429: the rate limit was hit.</summary>
    RateLimitError,

    /// <summary><c>api_error</c>: HTTP 500: an unexpected error inside the API.</summary>
    ApiError,

    /// <summary><c>timeout_error</c>: HTTP 504: the request timed out.</summary>
    TimeoutError,

    /// <summary><c>overloaded_error</c>: HTTP 529: the API is temporarily overloaded.</summary>
    OverloadedError,
}

/// <summary>The type of an API error, an open enum: known values have a <see cref="Kind"/>, any value keeps its wire text in <see cref="Value"/>.</summary>
public readonly struct ErrorType : IEquatable<ErrorType>
{
    private readonly string? _value;
    private const string InvalidRequestErrorValue = "invalid_request_error";
    private const string AuthenticationErrorValue = "authentication_error";
    private const string BillingErrorValue = "billing_error";
    private const string PermissionErrorValue = "permission_error";
    private const string NotFoundErrorValue = "not_found_error";
    private const string ConflictErrorValue = "conflict_error";
    private const string RequestTooLargeValue = "request_too_large";
    private const string RateLimitErrorValue = "rate_limit_error";
    private const string ApiErrorValue = "api_error";
    private const string TimeoutErrorValue = "timeout_error";
    private const string OverloadedErrorValue = "overloaded_error";

    /// <summary>Creates a value from its wire text.</summary>
    /// <param name="value">The wire text.</param>
    public ErrorType(string value)
    {
        _value = value ?? throw new ArgumentNullException(nameof(value));
        Kind = Classify(value);
    }

    private ErrorType(string value, ErrorTypeKind kind)
    {
        _value = value;
        Kind = kind;
    }

    /// <summary><c>invalid_request_error</c>: HTTP 400: the request is malformed.</summary>
    public static ErrorType InvalidRequestError => new(InvalidRequestErrorValue, ErrorTypeKind.InvalidRequestError);

    /// <summary><c>authentication_error</c>: HTTP 401: the API key is missing or invalid.</summary>
    public static ErrorType AuthenticationError => new(AuthenticationErrorValue, ErrorTypeKind.AuthenticationError);

    /// <summary><c>billing_error</c>: HTTP 402: a billing problem.</summary>
    public static ErrorType BillingError => new(BillingErrorValue, ErrorTypeKind.BillingError);

    /// <summary><c>permission_error</c>: HTTP 403: the key may not use this resource.</summary>
    public static ErrorType PermissionError => new(PermissionErrorValue, ErrorTypeKind.PermissionError);

    /// <summary><c>not_found_error</c>: HTTP 404: the resource was not found.</summary>
    public static ErrorType NotFoundError => new(NotFoundErrorValue, ErrorTypeKind.NotFoundError);

    /// <summary><c>conflict_error</c>: HTTP 409: a conflict.</summary>
    public static ErrorType ConflictError => new(ConflictErrorValue, ErrorTypeKind.ConflictError);

    /// <summary><c>request_too_large</c>: HTTP 413: the request is too large.</summary>
    public static ErrorType RequestTooLarge => new(RequestTooLargeValue, ErrorTypeKind.RequestTooLarge);

    /// <summary><c>rate_limit_error</c>: HTTP 429: the rate limit was hit.</summary>
    public static ErrorType RateLimitError => new(RateLimitErrorValue, ErrorTypeKind.RateLimitError);

    /// <summary><c>api_error</c>: HTTP 500: an unexpected error inside the API.</summary>
    public static ErrorType ApiError => new(ApiErrorValue, ErrorTypeKind.ApiError);

    /// <summary><c>timeout_error</c>: HTTP 504: the request timed out.</summary>
    public static ErrorType TimeoutError => new(TimeoutErrorValue, ErrorTypeKind.TimeoutError);

    /// <summary><c>overloaded_error</c>: HTTP 529: the API is temporarily overloaded.</summary>
    public static ErrorType OverloadedError => new(OverloadedErrorValue, ErrorTypeKind.OverloadedError);

    /// <summary>The known value, or <see cref="ErrorTypeKind.Unknown"/>.</summary>
    public ErrorTypeKind Kind { get; }

    /// <summary>The wire text (for known values a shared string: no allocation).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares the wire text.</summary>
    public static bool operator ==(ErrorType left, ErrorType right) => left.Equals(right);

    /// <summary>Compares the wire text.</summary>
    public static bool operator !=(ErrorType left, ErrorType right) => !left.Equals(right);

    /// <summary>Maps wire text given as UTF-8 to a value; known values allocate nothing.</summary>
    /// <param name="utf8">The wire text.</param>
    /// <param name="cache">Where unknown values are interned, or null to allocate.</param>
    /// <returns>The value.</returns>
    internal static ErrorType FromUtf8(ReadOnlySpan<byte> utf8, StringCache? cache)
    {
        if (utf8.SequenceEqual("invalid_request_error"u8))
        {
            return InvalidRequestError;
        }

        if (utf8.SequenceEqual("authentication_error"u8))
        {
            return AuthenticationError;
        }

        if (utf8.SequenceEqual("billing_error"u8))
        {
            return BillingError;
        }

        if (utf8.SequenceEqual("permission_error"u8))
        {
            return PermissionError;
        }

        if (utf8.SequenceEqual("not_found_error"u8))
        {
            return NotFoundError;
        }

        if (utf8.SequenceEqual("conflict_error"u8))
        {
            return ConflictError;
        }

        if (utf8.SequenceEqual("request_too_large"u8))
        {
            return RequestTooLarge;
        }

        if (utf8.SequenceEqual("rate_limit_error"u8))
        {
            return RateLimitError;
        }

        if (utf8.SequenceEqual("api_error"u8))
        {
            return ApiError;
        }

        if (utf8.SequenceEqual("timeout_error"u8))
        {
            return TimeoutError;
        }

        if (utf8.SequenceEqual("overloaded_error"u8))
        {
            return OverloadedError;
        }

        return new ErrorType(cache is null ? Utf8Util.GetString(utf8) : cache.Get(utf8), ErrorTypeKind.Unknown);
    }

    /// <inheritdoc/>
    public bool Equals(ErrorType other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ErrorType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>The wire text.</summary>
    /// <returns><see cref="Value"/>.</returns>
    public override string ToString() => Value;

    private static ErrorTypeKind Classify(string value) => value switch
    {
        InvalidRequestErrorValue => ErrorTypeKind.InvalidRequestError,
        AuthenticationErrorValue => ErrorTypeKind.AuthenticationError,
        BillingErrorValue => ErrorTypeKind.BillingError,
        PermissionErrorValue => ErrorTypeKind.PermissionError,
        NotFoundErrorValue => ErrorTypeKind.NotFoundError,
        ConflictErrorValue => ErrorTypeKind.ConflictError,
        RequestTooLargeValue => ErrorTypeKind.RequestTooLarge,
        RateLimitErrorValue => ErrorTypeKind.RateLimitError,
        ApiErrorValue => ErrorTypeKind.ApiError,
        TimeoutErrorValue => ErrorTypeKind.TimeoutError,
        OverloadedErrorValue => ErrorTypeKind.OverloadedError,
        _ => ErrorTypeKind.Unknown,
    };
}
