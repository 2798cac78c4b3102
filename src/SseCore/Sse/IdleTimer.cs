using System;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace SseCore;

/// <summary>
/// <see cref="SseParserOptions.IdleTimeout"/> for one reader: a wait for bytes that lasts longer
/// cancels the pending read (<see cref="PipeReader.CancelPendingRead"/>) and throws
/// <see cref="SseIdleTimeoutException"/>. The caller's token goes to the pipe untouched, so its
/// cancellation stays an <see cref="OperationCanceledException"/>, and nothing is linked per read.
/// </summary>
/// <remarks>
/// One <see cref="Timer"/> per reader, re-armed with <see cref="Timer.Change(long, long)"/> before
/// each wait (no allocation on .NET Core; reads that find bytes already buffered never touch it).
/// A timer callback can run late, after the wait it was armed for; so the callback checks, under a
/// lock, that a wait is armed and its deadline has passed (otherwise it re-arms for the rest), and
/// cancels the read while still holding the lock. A fire that lands after its read completed with
/// bytes leaves one canceled read pending on the pipe, which the reader recognizes
/// (<see cref="TryConsumeStaleCancel"/>) and reads again.
/// </remarks>
internal sealed class IdleTimer : IDisposable
{
    private readonly PipeReader _reader;
    private readonly Timer _timer;
    private readonly long _timeoutMs;
    private readonly long _timeoutTicks;
    private bool _armed;
    private bool _fired;
    private bool _staleCancel;
    private long _deadline;

    public IdleTimer(PipeReader reader, TimeSpan timeout)
    {
        _reader = reader;
        Timeout = timeout;
        _timeoutMs = (long)Math.Ceiling(timeout.TotalMilliseconds);
        _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);

        // The timer must not capture the creator's ExecutionContext (AsyncLocals, activities) for
        // the reader's lifetime.
        bool restore = !ExecutionContext.IsFlowSuppressed();
        if (restore)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            _timer = new Timer(static s => ((IdleTimer)s!).OnTimer(), this, System.Threading.Timeout.Infinite, System.Threading.Timeout.Infinite);
        }
        finally
        {
            if (restore)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    public TimeSpan Timeout { get; }

    /// <summary>Reads from the pipe, giving up after <see cref="Timeout"/> without bytes.</summary>
    /// <param name="cancellationToken">The caller's token, passed to the pipe as is.</param>
    /// <param name="byteOffset">The bytes received so far, for the exception.</param>
    /// <exception cref="SseIdleTimeoutException">The wait lasted longer than <see cref="Timeout"/>.</exception>
#if NET6_0_OR_GREATER
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    public async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken, long byteOffset)
    {
        BeginWait();
        ReadResult result;
        try
        {
            result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A canceled stream read may surface as an exception; the caller's own cancellation wins.
            if (EndWait(readCanceled: true) && !cancellationToken.IsCancellationRequested)
            {
                throw new SseIdleTimeoutException(Timeout, byteOffset, ex);
            }

            throw;
        }

        if (EndWait(result.IsCanceled))
        {
            _reader.AdvanceTo(result.Buffer.Start);
            throw new SseIdleTimeoutException(Timeout, byteOffset);
        }

        return result;
    }

    /// <summary>
    /// Whether a canceled read result is a late fire of this timer (the bytes had arrived in time)
    /// rather than someone's <see cref="PipeReader.CancelPendingRead"/>; true once per such fire.
    /// </summary>
    public bool TryConsumeStaleCancel()
    {
        if (!_staleCancel)
        {
            return false;
        }

        _staleCancel = false;
        return true;
    }

    public void Dispose()
    {
        lock (this)
        {
            _armed = false;
        }

        _timer.Dispose();
    }

    private void BeginWait()
    {
        lock (this)
        {
            _armed = true;
            _fired = false;
            _deadline = Stopwatch.GetTimestamp() + _timeoutTicks;
            _timer.Change(_timeoutMs, System.Threading.Timeout.Infinite);
        }
    }

    /// <summary>Ends a wait; true when the timer fired for it and the read was canceled (a timeout).</summary>
    private bool EndWait(bool readCanceled)
    {
        bool fired;
        lock (this)
        {
            _armed = false;
            fired = _fired;
            _fired = false;
        }

        if (fired && !readCanceled)
        {
            // The bytes won the race: the cancel is still pending on the pipe for the next read.
            _staleCancel = true;
        }

        return fired && readCanceled;
    }

    private void OnTimer()
    {
        lock (this)
        {
            if (!_armed)
            {
                return;
            }

            long remaining = _deadline - Stopwatch.GetTimestamp();
            if (remaining > 0)
            {
                // Early (clock granularity) or left over from an earlier wait: wait for the rest.
                _timer.Change((remaining * 1000 / Stopwatch.Frequency) + 1, System.Threading.Timeout.Infinite);
                return;
            }

            _armed = false;
            _fired = true;

            // Under the lock: the reader cannot end this wait (and start the next read) until the
            // cancel has reached the pipe, so it never cancels a later read.
            try
            {
                _reader.CancelPendingRead();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
            {
                // The source was completed meanwhile: nothing is waiting. (A timer thread must not throw.)
            }
        }
    }
}
