using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Anthropic;

namespace SseCore.Cli.Output;

/// <summary>
/// <c>--text</c>: the bytes of each <c>text_delta</c>, exactly as decoded, flushed one delta at a
/// time; once the message is complete, <c>Tokens: N in, M out</c> on standard error.
/// </summary>
/// <remarks>
/// The text is the UTF-8 the library unescaped from the delta's JSON string, copied straight to
/// the output: no string round trip, no terminal filtering (it is the model's answer, not
/// untrusted framing). Thinking, tool input and citations are not printed. When standard output
/// is a terminal, a final LF is added if the text does not end with one, so that the shell
/// prompt and the token line start on a line of their own; to a pipe or a file the output is
/// exactly the text.
/// </remarks>
internal sealed class TextSink : BufferedSink, IMessageSink
{
    private readonly TextWriter _stderr;
    private readonly bool _outputIsTerminal;
    private bool _lineOpen;

    /// <summary>Creates the sink.</summary>
    /// <param name="output">Where the text goes; not disposed by the sink.</param>
    /// <param name="stderr">Where the token line goes.</param>
    /// <param name="outputIsTerminal">Whether <paramref name="output"/> is a terminal (see the remarks).</param>
    public TextSink(Stream output, TextWriter stderr, bool outputIsTerminal)
        : base(output)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        _stderr = stderr;
        _outputIsTerminal = outputIsTerminal;
    }

    /// <inheritdoc />
    public bool StreamsText => true;

    /// <inheritdoc />
    public void WriteText(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return;
        }

        Pending.Write(utf8);
        _lineOpen = utf8[^1] != (byte)'\n';
    }

    /// <inheritdoc />
    public async ValueTask WriteEndAsync(Message? message, bool isComplete, CancellationToken cancellationToken)
    {
        if (_outputIsTerminal && _lineOpen)
        {
            Pending.Write("\n"u8);
            _lineOpen = false;
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (isComplete && message is not null)
        {
            Usage usage = message.Usage;
            await _stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Tokens: {usage.InputTokens} in, {usage.OutputTokens} out")).ConfigureAwait(false);
            await _stderr.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
