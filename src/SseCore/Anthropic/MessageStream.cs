using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Pipelines;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>How a <see cref="MessageStream"/> ended.</summary>
public enum MessageStreamOutcome
{
    /// <summary>Still reading.</summary>
    Pending,

    /// <summary><c>message_stop</c> arrived: the message is complete.</summary>
    Completed,

    /// <summary>The body ended cleanly without <c>message_stop</c>: the message is incomplete.</summary>
    Truncated,

    /// <summary>An <c>error</c> event arrived (<see cref="AnthropicApiException"/> was thrown).</summary>
    ApiError,

    /// <summary>The stream broke or was cancelled (<see cref="AnthropicStreamInterruptedException"/> was thrown).</summary>
    Interrupted,

    /// <summary>An event's data did not follow the protocol (<see cref="AnthropicProtocolException"/> was thrown).</summary>
    ProtocolError,
}

/// <summary>
/// A Messages API stream as an SDK offers it: text as it arrives, the raw events, the final
/// message with usage, and nothing lost when the stream breaks.
/// </summary>
/// <remarks>
/// <para>
/// Every event read is decoded once and folded into <see cref="GetCurrentMessage"/>. Read it the way
/// you need: <see cref="MoveNextAsync"/> with <see cref="Current"/> (decoded) and
/// <see cref="CurrentSseEvent"/> (the SSE event underneath) for raw access;
/// <see cref="MoveNextTextAsync"/> with <see cref="CurrentText"/> for text deltas without
/// allocating; <see cref="GetTextStreamAsync"/> for strings; <see cref="GetFinalMessageAsync"/> for
/// the message.
/// </para>
/// <para>
/// Failures are typed and carry <see cref="AnthropicException.PartialMessage"/>: an <c>error</c>
/// event throws <see cref="AnthropicApiException"/>; a broken connection, a limit, a stall past
/// <see cref="SseParserOptions.IdleTimeout"/> or cancellation throws
/// <see cref="AnthropicStreamInterruptedException"/> wrapping the cause; malformed event
/// data throws <see cref="AnthropicProtocolException"/>. A body that ends without
/// <c>message_stop</c> is <see cref="MessageStreamOutcome.Truncated"/>: the reading methods return
/// false, and <see cref="GetFinalMessageAsync"/> and <see cref="GetTextStreamAsync"/> throw
/// <see cref="AnthropicStreamTruncatedException"/>.
/// </para>
/// <para>Not thread-safe; one read at a time. Dispose it to release the connection.</para>
/// </remarks>
public sealed class MessageStream : IAsyncDisposable, IDisposable
{
    private readonly SseReader _reader;
    private readonly AnthropicEventDecoder _decoder = new();
    private readonly MessageAccumulator _accumulator = new();
    private readonly IDisposable? _owned;
    private AnthropicEventKind _currentKind = AnthropicEventKind.Unknown;
    private bool _hasCurrent;
    private int _textOffset;
    private int _textLength;
    private bool _textEscaped;
    private bool _hasText;
    private ExceptionDispatchInfo? _failure;
    private AnthropicHttp.RetryHeaders _headers;

    private MessageStream(SseReader reader, IDisposable? owned, AnthropicHttp.RetryHeaders headers = default)
    {
        _reader = reader;
        _owned = owned;
        _headers = headers;
    }

    /// <summary>Reads a stream from a <see cref="PipeReader"/>.</summary>
    /// <param name="reader">The response body.</param>
    /// <param name="options">SSE limits; null for the defaults.</param>
    /// <param name="leaveOpen">When false, disposing the stream completes <paramref name="reader"/>.</param>
    /// <returns>The message stream.</returns>
    public static MessageStream Create(PipeReader reader, SseParserOptions? options = null, bool leaveOpen = false) =>
        new(new SseReader(reader, options, leaveOpen), null);

    /// <summary>Reads a stream from a <see cref="Stream"/>.</summary>
    /// <param name="stream">The response body.</param>
    /// <param name="options">SSE limits; null for the defaults.</param>
    /// <param name="leaveOpen">When false, disposing the message stream disposes <paramref name="stream"/>.</param>
    /// <returns>The message stream.</returns>
    public static MessageStream Create(Stream stream, SseParserOptions? options = null, bool leaveOpen = false) =>
        new(SseReader.Create(stream, options, leaveOpen), null);

    /// <summary>
    /// Reads a stream from an HTTP response (sent with <see cref="HttpCompletionOption.ResponseHeadersRead"/>).
    /// A non-2xx response is read as an Anthropic error body and thrown as
    /// <see cref="AnthropicApiException"/>; a success that is not <c>text/event-stream</c> throws
    /// <see cref="AnthropicUnexpectedContentTypeException"/>. The message stream owns the response.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="options">SSE limits and idle timeout (which also bounds reading an error body); null for the defaults.</param>
    /// <param name="cancellationToken">Cancels reading the error body or opening the content.</param>
    /// <returns>The message stream.</returns>
    /// <exception cref="AnthropicApiException">The response is an error.</exception>
    /// <exception cref="AnthropicUnexpectedContentTypeException">The response is not an event stream.</exception>
    public static async Task<MessageStream> FromResponseAsync(HttpResponseMessage response, SseParserOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (response is null)
        {
            throw new ArgumentNullException(nameof(response));
        }

        try
        {
            await AnthropicHttp.EnsureEventStreamAsync(response, options, cancellationToken).ConfigureAwait(false);
#if NET5_0_OR_GREATER
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
#else
            Stream body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
#endif
            return new MessageStream(SseReader.Create(body, options), response, new AnthropicHttp.RetryHeaders(response));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>How the stream ended so far.</summary>
    public MessageStreamOutcome Outcome { get; private set; }

    /// <summary>Whether <c>message_stop</c> arrived.</summary>
    public bool IsComplete => _accumulator.IsComplete;

    /// <summary>Whether <c>message_start</c> arrived (before it, <see cref="GetCurrentMessage"/> has no identity).</summary>
    public bool HasStarted => _accumulator.HasStarted;

    /// <summary>
    /// The message as accumulated so far: complete once <see cref="IsComplete"/>, partial before.
    /// Each call builds a new snapshot (decoding the accumulated text): call it when you need it,
    /// not per delta.
    /// </summary>
    /// <returns>The snapshot.</returns>
    /// <exception cref="ObjectDisposedException">The stream was disposed (take the message before).</exception>
    public Message GetCurrentMessage() => _accumulator.GetMessage();

    /// <summary>
    /// The input of tool block <paramref name="index"/> as it streams: each top-level property as
    /// soon as its value is complete, the property being written and its text so far, a valid-JSON
    /// snapshot on request (see <see cref="StreamingToolInput"/>). It is what the stream itself reads
    /// each <c>input_json_delta</c> into: looking at it after every delta reads nothing again.
    /// </summary>
    /// <param name="index">The block's <c>index</c> (e.g. <see cref="DeltaView.Index"/> of the current event).</param>
    /// <returns>The live input (spans it gives are valid until the next read), or null when no tool block has that index.</returns>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public StreamingToolInput? GetToolInput(int index) => _accumulator.GetToolInput(index);

    /// <summary>The SSE layer underneath: last event ID, counters, comment hook.</summary>
    public SseParserState SseState => _reader.State;

    /// <summary>
    /// The event read by the last successful <see cref="MoveNextAsync"/> or
    /// <see cref="MoveNextTextAsync"/>, decoded. Valid until the next read. The stream decoded it
    /// once already to accumulate it; this decodes it again (cheap, allocation-free) — use
    /// <see cref="CurrentKind"/> to filter first.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no current event.</exception>
    public AnthropicEvent Current
    {
        get
        {
            EnsureCurrent();
            return _decoder.Decode(_reader.Current);
        }
    }

    /// <summary>The kind of the current event (no decoding).</summary>
    public AnthropicEventKind CurrentKind => _currentKind;

    /// <summary>The SSE event underneath the current event (name, data, offsets). Valid until the next read.</summary>
    /// <exception cref="InvalidOperationException">There is no current event.</exception>
    public SseEvent CurrentSseEvent
    {
        get
        {
            EnsureCurrent();
            return _reader.Current;
        }
    }

    /// <summary>
    /// The text of the current <c>text_delta</c> as UTF-8 (unescaped; zero-copy when the wire had
    /// no escapes). Valid until the next read. Empty when the current event is not a text delta.
    /// </summary>
    public ReadOnlySpan<byte> CurrentText
    {
        get
        {
            if (!_hasCurrent || !_hasText)
            {
                return default;
            }

            ReadOnlySpan<byte> raw = _reader.Current.Data.Slice(_textOffset, _textLength);
            return _decoder.Unescape(new JsonText(raw, _textEscaped));
        }
    }

    /// <summary>Reads, decodes and accumulates the next event.</summary>
    /// <remarks>
    /// An event the reader already holds is returned synchronously, without an async state
    /// machine; so, as with <see cref="SseReader.MoveNextAsync"/>, a failure may be thrown by the
    /// call itself rather than by the returned task. Await the call where it is made.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the wait for bytes (throws <see cref="AnthropicStreamInterruptedException"/>).</param>
    /// <returns>True with an event in <see cref="Current"/>; false at the end of the body (see <see cref="Outcome"/>).</returns>
    /// <exception cref="AnthropicApiException">An <c>error</c> event arrived.</exception>
    /// <exception cref="AnthropicStreamInterruptedException">The stream broke, exceeded a limit, stalled past the idle timeout, or was cancelled.</exception>
    /// <exception cref="AnthropicProtocolException">An event's data does not follow the protocol.</exception>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        AnthropicEvent e = default;
        return MoveNext(ref e, cancellationToken);
    }

    /// <summary>
    /// <see cref="MoveNextAsync"/> decoding into <paramref name="e"/>, which a caller reading many
    /// events reuses: the decoder clears only the view the previous event used, where a fresh
    /// 1,184-byte <see cref="AnthropicEvent"/> per event is zeroed twice (prolog and initializer).
    /// </summary>
    private ValueTask<bool> MoveNext(ref AnthropicEvent e, CancellationToken cancellationToken)
    {
        if (!BeginRead())
        {
            return new ValueTask<bool>(false);
        }

        // An event the reader already has (most of them: one read brings many) is taken without
        // an async state machine; only a read that must wait goes through AwaitReadAsync.
        ValueTask<bool> read;
        try
        {
            read = _reader.MoveNextAsync(cancellationToken);
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            return new ValueTask<bool>(OnReadFailure(ex));
        }

        return read.IsCompletedSuccessfully ? new ValueTask<bool>(OnRead(read.Result, ref e)) : AwaitReadAsync(read);
    }

#if NET6_0_OR_GREATER
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    private async ValueTask<bool> AwaitReadAsync(ValueTask<bool> read)
    {
        bool has;
        try
        {
            has = await read.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            return OnReadFailure(ex);
        }

        AnthropicEvent e = default;
        return OnRead(has, ref e);
    }

    /// <summary>
    /// Before a read: no event is current any more; a failed stream keeps failing (a later read
    /// must not pass the partial message off as whole); false once the stream has an outcome.
    /// </summary>
    private bool BeginRead()
    {
        _hasCurrent = false;
        _hasText = false;
        _failure?.Throw();
        return Outcome == MessageStreamOutcome.Pending;
    }

    private static bool IsReadFailure(Exception ex) =>
        ex is IOException or OperationCanceledException or HttpRequestException or ObjectDisposedException;

    /// <summary>After a read: the event accepted (true), or the end of the body recorded (false).</summary>
    private bool OnRead(bool has, ref AnthropicEvent e)
    {
        if (!has)
        {
            Outcome = _accumulator.IsComplete ? MessageStreamOutcome.Completed : MessageStreamOutcome.Truncated;
            return false;
        }

        SseEvent sse = _reader.Current;
        Accept(sse, ref e);
        if (e.Kind == AnthropicEventKind.ContentBlockDelta && e.Delta.Kind == DeltaKind.Text)
        {
            // Remember where the text is in the data, to hand it out without decoding again (the
            // held events of GetFinalMessageAsync need not: no event of theirs stays current).
            JsonText text = e.Delta.Text;
            sse.Data.Overlaps(text.RawUtf8, out _textOffset);
            _textLength = text.RawUtf8.Length;
            _textEscaped = text.IsEscaped;
            _hasText = true;
        }

        return true;
    }

    /// <summary>A read that failed: the end of a message already whole (false), or an interruption (throws).</summary>
    private bool OnReadFailure(Exception ex)
    {
        if (_accumulator.IsComplete)
        {
            // The message is whole; what broke came after it.
            Outcome = MessageStreamOutcome.Completed;
            return false;
        }

        string what = ex switch
        {
            OperationCanceledException => "was cancelled",
            SseLimitExceededException => "exceeded a limit",
            SseIdleTimeoutException => "stalled",
            _ => "broke",
        };
        throw Fail(MessageStreamOutcome.Interrupted, new AnthropicStreamInterruptedException($"The message stream {what} after {_accumulator.EventCount} events: {ex.Message}", ex));
    }

    /// <summary>
    /// Reads up to the next <c>text_delta</c>, accumulating every event on the way: the text stream
    /// without a string per delta (what it allocates is the accumulated message growing, amortized).
    /// Read <see cref="CurrentText"/> after it returns true. It stops at <c>message_stop</c>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for bytes.</param>
    /// <returns>True with text in <see cref="CurrentText"/>; false at the end of the body (see <see cref="Outcome"/>).</returns>
    /// <exception cref="AnthropicApiException">An <c>error</c> event arrived.</exception>
    /// <exception cref="AnthropicStreamInterruptedException">The stream broke, exceeded a limit, stalled past the idle timeout, or was cancelled.</exception>
    /// <exception cref="AnthropicProtocolException">An event's data does not follow the protocol.</exception>
    public ValueTask<bool> MoveNextTextAsync(CancellationToken cancellationToken = default)
    {
        // Synchronous while the reader already holds the events (see MoveNextAsync).
        while (!_accumulator.IsComplete)
        {
            ValueTask<bool> read = MoveNextAsync(cancellationToken);
            if (!read.IsCompletedSuccessfully)
            {
                return MoveNextTextSlowAsync(read, cancellationToken);
            }

            if (!read.Result)
            {
                return new ValueTask<bool>(false);
            }

            if (_hasText)
            {
                return new ValueTask<bool>(true);
            }
        }

        // No text follows message_stop: do not wait for the end of the body.
        CompleteAtMessageStop();
        return new ValueTask<bool>(false);
    }

#if NET6_0_OR_GREATER
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    private async ValueTask<bool> MoveNextTextSlowAsync(ValueTask<bool> pending, CancellationToken cancellationToken)
    {
        ValueTask<bool> read = pending;
        while (true)
        {
            if (!(read.IsCompletedSuccessfully ? read.Result : await read.ConfigureAwait(false)))
            {
                return false;
            }

            if (_hasText)
            {
                return true;
            }

            if (_accumulator.IsComplete)
            {
                CompleteAtMessageStop();
                return false;
            }

            read = MoveNextAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The text deltas as strings, as they arrive (the convenience tier: one string per delta).
    /// Throws <see cref="AnthropicStreamTruncatedException"/> at the end when <c>message_stop</c>
    /// never came, so a consumer of text alone cannot mistake a cut answer for a whole one.
    /// </summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The text deltas.</returns>
    public async IAsyncEnumerable<string> GetTextStreamAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await MoveNextTextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Utf8Util.GetString(CurrentText);
        }

        EnsureCompleted();
    }

    /// <summary>Reads the rest of the stream and returns the final message with its usage.</summary>
    /// <param name="cancellationToken">Cancels the wait for bytes.</param>
    /// <returns>The complete message.</returns>
    /// <exception cref="AnthropicStreamTruncatedException">The body ended without <c>message_stop</c> (the partial message is attached).</exception>
    /// <exception cref="AnthropicApiException">An <c>error</c> event arrived.</exception>
    /// <exception cref="AnthropicStreamInterruptedException">The stream broke, exceeded a limit, stalled past the idle timeout, or was cancelled.</exception>
    /// <exception cref="AnthropicProtocolException">An event's data does not follow the protocol.</exception>
    public async Task<Message> GetFinalMessageAsync(CancellationToken cancellationToken = default)
    {
        while (!_accumulator.IsComplete)
        {
            // The events the reader already holds are taken without an await (ReadWhileAvailable);
            // this loop turns once per read that has to wait.
            ValueTask<bool> read = ReadWhileAvailable(cancellationToken);
            if (!(read.IsCompletedSuccessfully ? read.Result : await read.ConfigureAwait(false)))
            {
                break;
            }
        }

        CompleteAtMessageStop();
        EnsureCompleted();
        return _accumulator.GetMessage();
    }

    /// <summary>
    /// Reads events, through one <see cref="AnthropicEvent"/>, while they complete synchronously:
    /// up to <c>message_stop</c>, the end of the body, or a read that has to wait (returned pending).
    /// </summary>
    private ValueTask<bool> ReadWhileAvailable(CancellationToken cancellationToken)
    {
        AnthropicEvent e = default;
        while (true)
        {
            // The events of the buffer the reader holds, through one tokenizer; then a read.
            if (AcceptHeldEvents(ref e))
            {
                return new ValueTask<bool>(true);
            }

            ValueTask<bool> read = MoveNext(ref e, cancellationToken);
            if (!read.IsCompletedSuccessfully || !read.Result || _accumulator.IsComplete)
            {
                return read;
            }
        }
    }

    /// <summary>Accepts the events the reader holds, up to <c>message_stop</c> (true) or the end of its buffer (false).</summary>
    private bool AcceptHeldEvents(ref AnthropicEvent e)
    {
        if (!BeginRead())
        {
            return false;
        }

        // A reader that is disposed (or failed) fails here as it would in MoveNext's read.
        SseReader.HeldEvents held;
        try
        {
            held = _reader.ReadHeldEvents();
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            return OnReadFailure(ex);
        }

        try
        {
            while (!_accumulator.IsComplete)
            {
                // As BeginRead does before each read: the previous event stops being current, so that a
                // read or a decode that throws leaves no current event behind. (No text to clear:
                // BeginRead cleared it, and only MoveNextAsync's OnRead records one.)
                _hasCurrent = false;
                try
                {
                    if (!held.MoveNext())
                    {
                        return false;
                    }
                }
                catch (Exception ex) when (IsReadFailure(ex))
                {
                    return OnReadFailure(ex);
                }

                Accept(held.Current, ref e);
            }

            return true;
        }
        finally
        {
            // Stopped at message_stop, or at an event that threw: the reader keeps that event.
            held.Leave();
        }
    }

    /// <summary>
    /// Releases the connection (and the HTTP response, when created from one) and returns the
    /// pooled buffers the message accumulated in. Messages already taken stay valid.
    /// </summary>
    /// <returns>A task that completes when released.</returns>
    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        _owned?.Dispose();
        _accumulator.Dispose();
    }

    /// <summary>
    /// Releases the connection (and the HTTP response, when created from one) and returns the
    /// pooled buffers the message accumulated in. Messages already taken stay valid.
    /// </summary>
    public void Dispose()
    {
        _reader.Dispose();
        _owned?.Dispose();
        _accumulator.Dispose();
    }

    private void Accept(in SseEvent sse, ref AnthropicEvent e)
    {
        try
        {
            _decoder.Decode(sse, ref e);
        }
        catch (AnthropicProtocolException ex)
        {
            throw Fail(MessageStreamOutcome.ProtocolError, ex);
        }

        try
        {
            _accumulator.Apply(in e);
        }
        catch (AnthropicProtocolException ex)
        {
            throw Fail(MessageStreamOutcome.ProtocolError, ex);
        }

        _currentKind = e.Kind;
        _hasCurrent = true;
        if (e.Kind == AnthropicEventKind.Error)
        {
            ref readonly ErrorView err = ref e.Error;
            throw Fail(MessageStreamOutcome.ApiError, new AnthropicApiException(err.Type, err.Message.GetString() ?? string.Empty, err.RequestId.GetString(), 200)
            {
                DetailsJson = err.DetailsJson.IsEmpty ? null : Utf8Util.GetString(err.DetailsJson),
            });
        }
    }

    /// <summary>Records how the stream failed, with the partial message, so later reads fail the same way.</summary>
    private AnthropicException Fail(MessageStreamOutcome outcome, AnthropicException exception)
    {
        Outcome = outcome;
        Annotate(exception);
        _failure = ExceptionDispatchInfo.Capture(exception);
        return exception;
    }

    /// <summary>What every failure carries: the partial message, whether output had arrived, and the response's retry headers.</summary>
    private AnthropicException Annotate(AnthropicException exception)
    {
        exception.PartialMessage = PartialOrNull();
        exception.HasReceivedOutput = _accumulator.HasOutput;
        _headers.ApplyTo(exception);
        return exception;
    }

    private void CompleteAtMessageStop()
    {
        if (_accumulator.IsComplete && Outcome == MessageStreamOutcome.Pending)
        {
            Outcome = MessageStreamOutcome.Completed;
            _hasCurrent = false;
        }
    }

    private Message? PartialOrNull() => _accumulator.HasStarted ? _accumulator.GetMessage() : null;

    private void EnsureCompleted()
    {
        if (Outcome == MessageStreamOutcome.Truncated)
        {
            throw Annotate(new AnthropicStreamTruncatedException($"The message stream ended after {_accumulator.EventCount} events without message_stop: the message is incomplete."));
        }
    }

    private void EnsureCurrent()
    {
        if (!_hasCurrent)
        {
            ThrowHelper.ThrowInvalidOperation("There is no current event: call MoveNextAsync and check that it returned true.");
        }
    }
}
