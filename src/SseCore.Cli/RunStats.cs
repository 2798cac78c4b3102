using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using SseCore.Anthropic;

namespace SseCore.Cli;

/// <summary>
/// <c>--stats</c>: what one run read and how fast, written as one line on standard error when the
/// run ends, however it ends (complete, failed, truncated or cancelled).
/// </summary>
/// <remarks>
/// <para>
/// The line is <c>stats: events=N bytes=N elapsed_ms=F events_per_s=F first_event_ms=F</c>, then
/// in the Messages modes <c>input_tokens=N output_tokens=N</c> when a message was started. The
/// keys and their order are stable (docs/SSECAT.md); times are in milliseconds with three
/// decimals, the rate with one, always with a <c>.</c>; <c>first_event_ms=none</c> when no event
/// was dispatched.
/// </para>
/// <para>
/// The counts come from the parser's own state (<see cref="SseParserState.EventsDispatched"/>,
/// <see cref="SseParserState.BytesConsumed"/>), so counting costs nothing per event; the only
/// per-event work is the driver's null check and, for the first event, one timestamp. Without
/// <c>--stats</c> there is no instance at all.
/// </para>
/// </remarks>
internal sealed class RunStats
{
    private readonly long _start;
    private long _firstEvent;
    private SseParserState? _state;
    private Usage? _usage;
    private int _written;

    /// <summary>Starts the clock: call it before the input is opened or the request is sent.</summary>
    public RunStats()
    {
        _start = Stopwatch.GetTimestamp();
    }

    /// <summary>Takes the event and byte counts from this parse (read when the run ends).</summary>
    /// <param name="state">The state of the stream being read.</param>
    public void Track(SseParserState state) => _state = state;

    /// <summary>Called when an event has been dispatched; the first call fixes the time to the first event.</summary>
    public void OnEvent()
    {
        if (_firstEvent == 0)
        {
            _firstEvent = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>
    /// Called when reading failed: when an event was dispatched but never handed out (the first
    /// event was an <c>error</c> event, or not the protocol), it was dispatched just now.
    /// </summary>
    public void OnFailure()
    {
        if (_state is { EventsDispatched: > 0 })
        {
            OnEvent();
        }
    }

    /// <summary>Keeps the token counts of the final or partial message.</summary>
    /// <param name="usage">The message's usage.</param>
    public void SetUsage(Usage usage) => _usage = usage;

    /// <summary>The stats line as of now, without a line break.</summary>
    /// <returns>The line.</returns>
    public string Format()
    {
        long end = Stopwatch.GetTimestamp();
        long events = _state?.EventsDispatched ?? 0;
        long bytes = _state?.BytesConsumed ?? 0;
        double elapsedMs = Stopwatch.GetElapsedTime(_start, end).TotalMilliseconds;
        double rate = elapsedMs > 0 ? events * 1000 / elapsedMs : 0;

        var line = new StringBuilder(128);
        CultureInfo invariant = CultureInfo.InvariantCulture;
        line.Append(invariant, $"stats: events={events} bytes={bytes} elapsed_ms={elapsedMs:F3} events_per_s={rate:F1} first_event_ms=");
        if (_firstEvent == 0)
        {
            line.Append("none");
        }
        else
        {
            line.Append(invariant, $"{Stopwatch.GetElapsedTime(_start, _firstEvent).TotalMilliseconds:F3}");
        }

        if (_usage is not null)
        {
            line.Append(invariant, $" input_tokens={_usage.InputTokens} output_tokens={_usage.OutputTokens}");
        }

        return line.ToString();
    }

    /// <summary>
    /// Writes the line and flushes standard error, unless it was written already: the run writes
    /// it when it ends, and a Ctrl+C handler may write it from another thread just before the
    /// process ends.
    /// </summary>
    /// <param name="stderr">Standard error.</param>
    public void TryWrite(TextWriter stderr)
    {
        if (Interlocked.Exchange(ref _written, 1) == 0)
        {
            stderr.WriteLine(Format());
            stderr.Flush();
        }
    }
}
