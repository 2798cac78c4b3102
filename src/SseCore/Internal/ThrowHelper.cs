using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace SseCore.Internal;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowLimitExceeded(SseLimit limit, long limitValue, long byteOffset) =>
        throw CreateLimitExceeded(limit, limitValue, byteOffset);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(string name) => throw new ObjectDisposedException(name);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SseLimitExceededException CreateLimitExceeded(SseLimit limit, long limitValue, long byteOffset) =>
        new(limit, limitValue, byteOffset);
}
