using System;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Anthropic;

namespace SseCore.Cli.Output;

/// <summary>
/// One Messages API output mode (<c>--text</c>, <c>--message</c>): the driver reads the stream as
/// a <see cref="MessageStream"/> and hands the sink the text deltas as they arrive (when it
/// <see cref="StreamsText"/>) and, at the end, the message.
/// </summary>
/// <remarks>
/// The driver calls <see cref="WriteText"/> then <see cref="FlushAsync"/> for each text delta,
/// and <see cref="WriteEndAsync"/> once: with the final message when the stream completed, with
/// the partial message (or <see langword="null"/>) when it failed. It calls nothing more when the
/// run was cancelled.
/// </remarks>
internal interface IMessageSink : IDisposable
{
    /// <summary>Whether the sink prints the text deltas as they arrive.</summary>
    bool StreamsText { get; }

    /// <summary>Renders one text delta into the pending buffer.</summary>
    /// <param name="utf8">The delta's text as UTF-8; valid only during the call.</param>
    void WriteText(ReadOnlySpan<byte> utf8);

    /// <summary>Writes (and flushes) what the mode prints at the end of the stream.</summary>
    /// <param name="message">
    /// The final message when <paramref name="isComplete"/>; otherwise the partial message as
    /// accumulated up to the failure, or <see langword="null"/> when the failure came before
    /// <c>message_start</c>.
    /// </param>
    /// <param name="isComplete">Whether <c>message_stop</c> arrived.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the output has been flushed.</returns>
    /// <exception cref="CliOutputException">The output could not be written.</exception>
    ValueTask WriteEndAsync(Message? message, bool isComplete, CancellationToken cancellationToken);

    /// <summary>Writes the pending buffer to the output and flushes the output.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the output has been flushed.</returns>
    /// <exception cref="CliOutputException">The output could not be written.</exception>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
