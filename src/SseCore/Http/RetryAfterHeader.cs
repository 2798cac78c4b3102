using System;
using System.Net.Http;
using System.Net.Http.Headers;

namespace SseCore;

/// <summary>The standard <c>Retry-After</c> header (RFC 9110), read the same way wherever a response is retried.</summary>
internal static class RetryAfterHeader
{
    /// <summary>How long <c>Retry-After</c> asks to wait: its seconds, or the time left until its HTTP date (zero once past); null without one.</summary>
    public static TimeSpan? Read(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is TimeSpan delta)
        {
            return delta;
        }

        if (retryAfter?.Date is DateTimeOffset date)
        {
            TimeSpan wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
