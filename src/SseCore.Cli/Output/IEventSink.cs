using System;
using System.Threading;
using System.Threading.Tasks;

namespace SseCore.Cli.Output;

/// <summary>
/// One output mode: renders events into a pending buffer (synchronously, since an
/// <see cref="SseEvent"/> is a view that expires at the next read) and writes that buffer to the
/// output on <see cref="FlushAsync"/>.
/// </summary>
/// <remarks>
/// The driver calls <see cref="WriteEvent"/> then <see cref="FlushAsync"/> for each event, and
/// <see cref="WriteEnd"/> then <see cref="FlushAsync"/> once the stream has ended. It calls
/// nothing more after a read error, so a sink's end marker means the whole stream was read.
/// </remarks>
internal interface IEventSink : IDisposable
{
    /// <summary>Renders one dispatched event into the pending buffer.</summary>
    /// <param name="sseEvent">The event; valid only during the call.</param>
    void WriteEvent(SseEvent sseEvent);

    /// <summary>Renders the end of the stream (if the mode shows it) into the pending buffer.</summary>
    /// <param name="state">The stream's final state: last event ID and reconnection time.</param>
    void WriteEnd(SseParserState state);

    /// <summary>Writes the pending buffer to the output and flushes the output.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="CliOutputException">The output could not be written.</exception>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
