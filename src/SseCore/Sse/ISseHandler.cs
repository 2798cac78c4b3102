using System;

namespace SseCore;

/// <summary>
/// Callbacks for <see cref="SseParser"/>'s handler entry points. Implement it on a struct and
/// pass that struct as the type argument: the JIT then specializes the parse loop for it and the
/// calls are direct (as Kestrel does with <c>HttpParser&lt;TRequestHandler&gt;</c>).
/// </summary>
public interface ISseHandler
{
    /// <summary>Called for each dispatched event. The event's spans are valid only during the call.</summary>
    /// <param name="sseEvent">The event.</param>
    void OnEvent(SseEvent sseEvent);

    /// <summary>Called for each comment line (keep-alives). The span is valid only during the call.</summary>
    /// <param name="comment">The comment text as UTF-8, without the leading colon and line end.</param>
    void OnComment(ReadOnlySpan<byte> comment);
}
