using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;

namespace SseCore;

/// <summary>
/// Whole-stream entry points: parse an in-memory stream synchronously, or drain a
/// <see cref="PipeReader"/>, calling a struct-constrained <see cref="ISseHandler"/>.
/// </summary>
public static class SseParser
{
    /// <summary>Parses a complete event stream held in memory and calls <paramref name="handler"/> for each event and comment.</summary>
    /// <typeparam name="THandler">A struct implementing <see cref="ISseHandler"/>.</typeparam>
    /// <param name="utf8Stream">The whole stream. An event after the last blank line is discarded.</param>
    /// <param name="handler">The handler, updated in place.</param>
    /// <param name="options">Limits; <see langword="null"/> for the defaults.</param>
    /// <exception cref="SseLimitExceededException">The stream exceeds a limit.</exception>
    public static void Parse<THandler>(ReadOnlySpan<byte> utf8Stream, ref THandler handler, SseParserOptions? options = null)
        where THandler : struct, ISseHandler
    {
        using var state = new SseParserState(options);
        var tokenizer = new SseTokenizer(utf8Stream, isFinalBlock: true, state);
        Drain(ref tokenizer, ref handler);
    }

    /// <summary>
    /// Parses the next buffer of a stream and calls <paramref name="handler"/> for each event and
    /// comment in it; the whole buffer is consumed (see <see cref="SseTokenizer"/>).
    /// </summary>
    /// <typeparam name="THandler">A struct implementing <see cref="ISseHandler"/>.</typeparam>
    /// <param name="buffer">The bytes following those given in the previous call for this stream.</param>
    /// <param name="isFinalBlock"><see langword="true"/> when the stream ends with this buffer.</param>
    /// <param name="state">The stream's state.</param>
    /// <param name="handler">The handler, updated in place.</param>
    /// <exception cref="SseLimitExceededException">The stream exceeds a limit.</exception>
    public static void Parse<THandler>(ReadOnlySequence<byte> buffer, bool isFinalBlock, SseParserState state, ref THandler handler)
        where THandler : struct, ISseHandler
    {
        var tokenizer = new SseTokenizer(buffer, isFinalBlock, state);
        Drain(ref tokenizer, ref handler);
    }

    /// <summary>
    /// Reads <paramref name="reader"/> to its end, calling <paramref name="handler"/> for each
    /// event as soon as its blank line has been read, and for each comment.
    /// </summary>
    /// <typeparam name="THandler">A struct implementing <see cref="ISseHandler"/>.</typeparam>
    /// <param name="reader">The source. It is not completed by this method.</param>
    /// <param name="handler">The handler. Being a struct, it is copied into the method; the copy that saw every event is returned.</param>
    /// <param name="state">The stream's state (to read <see cref="SseParserState.LastEventId"/> afterwards), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for more bytes.</param>
    /// <returns>The handler after the last callback.</returns>
    /// <remarks>
    /// When this throws, the handler's copy is not returned: keep what a handler must not lose (a
    /// count, a partial result) behind a reference it holds, as Kestrel's handlers do.
    /// </remarks>
    /// <exception cref="SseLimitExceededException">The stream exceeds a limit.</exception>
    /// <exception cref="SseIdleTimeoutException">No bytes arrived for the state's <see cref="SseParserOptions.IdleTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled, or the pending read was canceled.</exception>
    public static async ValueTask<THandler> ParseAsync<THandler>(PipeReader reader, THandler handler, SseParserState? state = null, CancellationToken cancellationToken = default)
        where THandler : struct, ISseHandler
    {
        if (reader is null)
        {
            throw new ArgumentNullException(nameof(reader));
        }

        SseParserState owned = state ?? new SseParserState();
        IdleTimer? idle = owned.Options.HasIdleTimeout ? new IdleTimer(reader, owned.Options.IdleTimeout) : null;
        try
        {
            while (true)
            {
                ValueTask<ReadResult> read = idle is null ? reader.ReadAsync(cancellationToken) : idle.ReadAsync(cancellationToken, owned.BytesConsumed);
                // A read that completed at once is taken without the await machinery: with small
                // reads that saves about a quarter of the cost of a read.
                ReadResult result = read.IsCompletedSuccessfully ? read.Result : await read.ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    // A small read in the middle of a line only extends it: no tokenizer needed.
                    if (!SseTokenizer.TryAppendToCutLine(buffer, result.IsCompleted, owned))
                    {
                        Parse(buffer, result.IsCompleted, owned, ref handler);
                    }
                }
                finally
                {
                    // The tokenizer consumes the whole buffer; it keeps what it needs.
                    reader.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted)
                {
                    return handler;
                }

                if (result.IsCanceled && !(idle?.TryConsumeStaleCancel() ?? false))
                {
                    throw new OperationCanceledException("The read was canceled by PipeReader.CancelPendingRead.");
                }
            }
        }
        finally
        {
            idle?.Dispose();
            if (state is null)
            {
                owned.Dispose();
            }
        }
    }

    private static void Drain<THandler>(ref SseTokenizer tokenizer, ref THandler handler)
        where THandler : struct, ISseHandler
    {
        while (true)
        {
            switch (tokenizer.ReadNext())
            {
                case SseTokenKind.Event:
                    handler.OnEvent(tokenizer.CurrentEvent);
                    break;
                case SseTokenKind.Comment:
                    handler.OnComment(tokenizer.CurrentComment);
                    break;
                default:
                    return;
            }
        }
    }
}
