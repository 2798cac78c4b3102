using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Internal;

namespace SseCore;

/// <summary>
/// Pulls events from a <see cref="PipeReader"/> (or a <see cref="Stream"/>) one at a time:
/// <c>while (await reader.MoveNextAsync(ct)) { var e = reader.Current; ... }</c>.
/// </summary>
/// <remarks>
/// <para>
/// An event is returned as soon as its blank line has been read: the reader never waits for
/// more bytes once it has one (a lone CR ends a line at once). It follows the PipeReader
/// contract: it advances past every byte it has looked at before reading again, so the pipe only
/// wakes it when new bytes arrive. In steady state it allocates nothing per event.
/// </para>
/// <para>Not thread-safe; one <see cref="MoveNextAsync"/> at a time.</para>
/// </remarks>
public sealed class SseReader : IAsyncDisposable, IDisposable
{
    private readonly PipeReader _reader;
    private readonly SseParserState _state;
    private readonly bool _leaveOpen;
    private readonly bool _ownsState;
    private readonly IdleTimer? _idle;
    private ExceptionDispatchInfo? _failure;

    private ReadOnlySequence<byte> _buffer;
    private SequencePosition _position; // where parsing of _buffer resumes: the bytes before it are consumed
    private bool _holdingBuffer;
    private bool _isFinalBlock;
    private bool _hasCurrent;
    private bool _ended;
    private bool _disposed;

    /// <summary>Creates a reader over a <see cref="PipeReader"/>.</summary>
    /// <param name="reader">The source of the stream's bytes.</param>
    /// <param name="options">Limits; <see langword="null"/> for the defaults.</param>
    /// <param name="leaveOpen">When <see langword="false"/>, disposing this reader completes <paramref name="reader"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    public SseReader(PipeReader reader, SseParserOptions? options = null, bool leaveOpen = false)
    {
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _state = new SseParserState(options);
        _ownsState = true;
        _leaveOpen = leaveOpen;
        _idle = CreateIdleTimer(reader, _state.Options);
    }

    /// <summary>
    /// Creates a reader that continues a stream's state, for a reconnection: call
    /// <see cref="SseParserState.ResetForReconnect"/> on the state of the previous connection and
    /// pass it here, so <see cref="LastEventId"/> and <see cref="ReconnectionTime"/> carry over.
    /// The caller owns <paramref name="state"/>: the reader does not dispose it.
    /// </summary>
    /// <param name="reader">The source of the stream's bytes.</param>
    /// <param name="state">The state to continue; its options are the limits.</param>
    /// <param name="leaveOpen">When <see langword="false"/>, disposing this reader completes <paramref name="reader"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> or <paramref name="state"/> is null.</exception>
    public SseReader(PipeReader reader, SseParserState state, bool leaveOpen = false)
    {
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _ownsState = false;
        _leaveOpen = leaveOpen;
        _idle = CreateIdleTimer(reader, state.Options);
    }

    /// <summary>Creates a reader over a <see cref="Stream"/> (through <see cref="PipeReader.Create(Stream, StreamPipeReaderOptions)"/>).</summary>
    /// <param name="stream">The source of the stream's bytes.</param>
    /// <param name="options">Limits; <see langword="null"/> for the defaults.</param>
    /// <param name="leaveOpen">When <see langword="false"/>, disposing the reader disposes <paramref name="stream"/>.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public static SseReader Create(Stream stream, SseParserOptions? options = null, bool leaveOpen = false)
    {
        if (stream is null)
        {
            throw new ArgumentNullException(nameof(stream));
        }

        PipeReader pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: leaveOpen));
        return new SseReader(pipe, options, leaveOpen: false);
    }

    /// <summary>The stream's parse state: last event ID, reconnection time, counters, comment hook.</summary>
    public SseParserState State => _state;

    /// <summary>Called for each comment line as it is read (servers send comments as keep-alives).</summary>
    public SseCommentHandler? CommentHandler
    {
        get => _state.CommentHandler;
        set => _state.CommentHandler = value;
    }

    /// <summary>The last event ID string (UTF-8), persisting across events; empty when none. Valid until the next <see cref="MoveNextAsync"/>.</summary>
    public ReadOnlySpan<byte> LastEventId => _state.LastEventId;

    /// <summary>The reconnection time in milliseconds last set by the stream, or <see langword="null"/>.</summary>
    public long? ReconnectionTime => _state.ReconnectionTime;

    /// <summary>
    /// The event read by the last <see cref="MoveNextAsync"/> that returned <see langword="true"/>;
    /// valid until the next call to <see cref="MoveNextAsync"/> or <see cref="DisposeAsync"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no current event.</exception>
    public SseEvent Current
    {
        get
        {
            if (!_hasCurrent)
            {
                ThrowHelper.ThrowInvalidOperation("There is no current event: call MoveNextAsync and check that it returned true.");
            }

            SseParserState s = _state;
            return s.CreateEvent(s.DispatchedTypeInPlace ? s.DispatchedType.Span : s.Type.Span, s.DispatchedInPlace ? s.DispatchedData.Span : s.DataSpan);
        }
    }

    /// <summary>Reads up to the next event.</summary>
    /// <remarks>
    /// An event in bytes already read (or already in the pipe) is returned synchronously, also
    /// when <paramref name="cancellationToken"/> is cancelled: the token cancels the wait for more
    /// bytes. A stream that fails while parsing such bytes (a limit) throws from the call itself;
    /// failures of a read that waited come through the returned task. Await the call where it is made.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the wait for more bytes.</param>
    /// <returns><see langword="true"/> with an event in <see cref="Current"/>; <see langword="false"/> at the end of the stream.</returns>
    /// <exception cref="SseLimitExceededException">The stream exceeds a limit; the reader cannot go on, and every later call throws it again.</exception>
    /// <exception cref="SseIdleTimeoutException">No bytes arrived for <see cref="SseParserOptions.IdleTimeout"/>; the reader cannot go on, and every later call throws it again.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (or the pending read was canceled).</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SseReader));
        }

        _hasCurrent = false;

        // A stream that failed (a limit, a throwing comment handler) keeps failing: a later call
        // must not look like a clean end.
        _failure?.Throw();
        if (_ended)
        {
            return new ValueTask<bool>(false);
        }

        // Events already in the buffer we hold, then bytes the pipe already has: no await needed.
        if (_holdingBuffer && TryParseHeldBuffer())
        {
            return new ValueTask<bool>(true);
        }

        // Bytes the pipe already has: delivered even when the token is already cancelled (it
        // cancels the wait for more bytes), and with an idle timeout they need no timer.
        while (_reader.TryRead(out ReadResult result))
        {
            if (TakeResult(result) && TryParseHeldBuffer())
            {
                return new ValueTask<bool>(true);
            }

            if (_ended)
            {
                return new ValueTask<bool>(false);
            }

            if (!result.IsCompleted && !result.IsCanceled)
            {
                break;
            }
        }

        return _idle is null ? ReadUntilEvent(cancellationToken) : ReadUntilEventWithIdleTimeoutAsync(_idle, cancellationToken);
    }

    /// <summary>
    /// Reads that complete at once (the bytes had arrived) loop here, without an async state
    /// machine: with small reads that is most of what the reader costs beyond the pipe.
    /// </summary>
    /// <remarks>
    /// A method of its own, never inlined, so that what dynamic PGO sees of it (and so what the
    /// JIT inlines into it: the pipe's ReadAsync and AdvanceTo, TakeResult) comes from reads alone.
    /// Inside MoveNextAsync, after a workload of large reads (events mostly parsed from a held
    /// buffer) the loop looked cold, the pipe calls were not inlined, and 7-byte reads then cost
    /// 1.6x more in the same process.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<bool> ReadUntilEvent(CancellationToken cancellationToken)
    {
        while (true)
        {
            // A read that failed or was cancelled goes the async way too: its exception reaches the
            // caller through the returned task, as from any awaited read.
            ValueTask<ReadResult> read = _reader.ReadAsync(cancellationToken);
            if (!read.IsCompletedSuccessfully)
            {
                return ReadUntilEventAsync(read, cancellationToken);
            }

            if (TakeResult(read.Result) && TryParseHeldBuffer())
            {
                return new ValueTask<bool>(true);
            }

            if (_ended)
            {
                return new ValueTask<bool>(false);
            }
        }
    }

#if NET6_0_OR_GREATER
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    private async ValueTask<bool> ReadUntilEventAsync(ValueTask<ReadResult> pending, CancellationToken cancellationToken)
    {
        while (true)
        {
            // A read that completed at once is taken without the await machinery (~20 ns per read).
            ReadResult result = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
            if (TakeResult(result) && TryParseHeldBuffer())
            {
                return true;
            }

            if (_ended)
            {
                return false;
            }

            pending = _reader.ReadAsync(cancellationToken);
        }
    }

#if NET6_0_OR_GREATER
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    private async ValueTask<bool> ReadUntilEventWithIdleTimeoutAsync(IdleTimer idle, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                ValueTask<ReadResult> read = idle.ReadAsync(cancellationToken, _state.BytesConsumed);
                result = read.IsCompletedSuccessfully ? read.Result : await read.ConfigureAwait(false);
            }
            catch (SseIdleTimeoutException ex)
            {
                // The read was canceled under the source: like a limit, the stream cannot go on.
                _ended = true;
                _failure = ExceptionDispatchInfo.Capture(ex);
                throw;
            }

            if (TakeResult(result) && TryParseHeldBuffer())
            {
                return true;
            }

            if (_ended)
            {
                return false;
            }
        }
    }

    /// <summary>Takes a read result; false when it carries nothing to parse.</summary>
    private bool TakeResult(ReadResult result)
    {
        if (result.IsCanceled)
        {
            _reader.AdvanceTo(result.Buffer.Start);
            if (_idle is not null && _idle.TryConsumeStaleCancel())
            {
                // The idle timer fired just as bytes arrived: not a cancellation, read again.
                return false;
            }

            throw new OperationCanceledException("The read was canceled by PipeReader.CancelPendingRead.");
        }

        ReadOnlySequence<byte> buffer = result.Buffer;
        if (SseTokenizer.TryAppendToCutLine(buffer, result.IsCompleted, _state))
        {
            // A small read in the middle of a line: nothing to tokenize.
            _reader.AdvanceTo(buffer.End);
            return false;
        }

        _buffer = buffer;
        _position = buffer.Start;
        _isFinalBlock = result.IsCompleted;
        _holdingBuffer = true;
        return true;
    }

    /// <summary>Parses the held buffer; true with an event, false after releasing the buffer to the pipe.</summary>
    private bool TryParseHeldBuffer()
    {
        var tokenizer = new SseTokenizer(_buffer, _position, _isFinalBlock, _state);
        if (!Step(ref tokenizer))
        {
            return false;
        }

        // The tokenizer goes now: the reader keeps where the event ended and where its bytes lie.
        KeepEvent(in tokenizer);
        return true;
    }

    /// <summary>After an event of <paramref name="tokenizer"/>: the next step goes on after it, and <see cref="Current"/> can build it.</summary>
    private void KeepEvent(in SseTokenizer tokenizer)
    {
        _position = tokenizer.Consumed;
        tokenizer.PublishEvent();
    }

    /// <summary>
    /// One step of a tokenizer over the held buffer, and what the reader keeps of it: an event
    /// (true: the caller keeps it, <see cref="KeepEvent"/>), or the buffer released to the pipe
    /// (false), or the failure (rethrown).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Step(ref SseTokenizer tokenizer)
    {
        _hasCurrent = false;
        bool found;
        try
        {
            found = tokenizer.MoveToNextEvent();
        }
        catch (Exception ex)
        {
            _holdingBuffer = false;
            _ended = true;
            _failure = ExceptionDispatchInfo.Capture(ex);
            _reader.AdvanceTo(tokenizer.Consumed, _buffer.End);
            throw;
        }

        if (found)
        {
            // Keep the buffer (the event's bytes, which Current may point into, and the rest) until
            // the next step, which goes on from the event's end: a position, not a slice per event.
            _hasCurrent = true;
            return true;
        }

        _holdingBuffer = false;
        _reader.AdvanceTo(_buffer.End);
        if (_isFinalBlock)
        {
            _ended = true;
        }

        return false;
    }

    /// <summary>
    /// The events of the buffer the reader holds, read through one tokenizer: for a caller that
    /// takes every event there is without waiting (<c>MessageStream.GetFinalMessageAsync</c>), where
    /// <see cref="MoveNextAsync"/> builds a tokenizer and a <see cref="ValueTask{TResult}"/> per event.
    /// Once the caller stops (<see cref="HeldEvents.Leave"/>, in a <c>finally</c>), the reader is
    /// as <see cref="MoveNextAsync"/> leaves it after the last event (<see cref="Current"/> is that
    /// event), so a caller may stop after any of them and go on with <see cref="MoveNextAsync"/>.
    /// </summary>
    internal HeldEvents ReadHeldEvents()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SseReader));
        }

        _failure?.Throw();
        return new HeldEvents(this);
    }

    /// <summary>See <see cref="ReadHeldEvents"/>: the steps of one tokenizer (<see cref="TryParseHeldBuffer"/> builds one per event).</summary>
    internal ref struct HeldEvents
    {
        private readonly SseReader _owner;
        private SseTokenizer _tokenizer;
        private bool _active;
        private bool _onEvent; // the last MoveNext returned an event (false before the first)

        public HeldEvents(SseReader owner)
        {
            _owner = owner;

            // Not `&& !owner._ended`: MoveNextAsync reads once more after the final block (an empty,
            // completed result), and that read must be advanced like any other.
            _active = owner._holdingBuffer;
            _onEvent = false;
            _tokenizer = default;
            if (_active)
            {
                _tokenizer = new SseTokenizer(owner._buffer, owner._position, owner._isFinalBlock, owner._state);
            }
        }

        /// <summary>The event <see cref="MoveNext"/> moved to (also <see cref="SseReader.Current"/>).</summary>
        public readonly SseEvent Current => _tokenizer.CurrentEvent;

        /// <summary>True with the next event; false after releasing the buffer to the pipe (more bytes are needed, or the stream ended).</summary>
        public bool MoveNext()
        {
            if (!_active)
            {
                _owner._hasCurrent = false;
                return false;
            }

            // Inactive while stepping, so that a step that throws (the reader has failed) ends it.
            _active = false;
            _onEvent = false;
            _active = _owner.Step(ref _tokenizer);
            _onEvent = _active;
            return _active;
        }

        /// <summary>
        /// The caller stops here (the events, or the stream, are not all read): when an event was
        /// the last step, the reader keeps it and goes on after it; with no step taken, the reader
        /// is as it was. Not per event: the position and the event's memory are built once, when
        /// the caller leaves.
        /// </summary>
        public readonly void Leave()
        {
            if (_onEvent)
            {
                _owner.KeepEvent(in _tokenizer);
            }
        }
    }

    /// <summary>
    /// The convenience tier: each event copied into an <see cref="SseMessage"/> (strings), as an
    /// <see cref="IAsyncEnumerable{T}"/>. This allocates per event; use <see cref="MoveNextAsync"/>
    /// and <see cref="Current"/> on hot paths.
    /// </summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The events, in order.</returns>
    public async IAsyncEnumerable<SseMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return SseMessage.From(Current);
        }
    }

    /// <summary>Releases the pooled buffers and, unless the reader was created with leaveOpen, completes the source.</summary>
    /// <returns>A task that completes when the source is completed.</returns>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            Dispose();
        }

        return default;
    }

    /// <summary>Releases the pooled buffers and, unless the reader was created with leaveOpen, completes the source.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _hasCurrent = false;

        // First, so that a late timer cannot cancel a read on a completed source.
        _idle?.Dispose();
        if (_holdingBuffer)
        {
            _holdingBuffer = false;
            _reader.AdvanceTo(_position, _buffer.End);
        }

        if (!_leaveOpen)
        {
            _reader.Complete();
        }

        if (_ownsState)
        {
            _state.Dispose();
        }
    }

    private static IdleTimer? CreateIdleTimer(PipeReader reader, SseParserOptions options) =>
        options.HasIdleTimeout ? new IdleTimer(reader, options.IdleTimeout) : null;
}
