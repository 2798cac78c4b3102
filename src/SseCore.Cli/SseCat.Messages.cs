using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Anthropic;
using SseCore.Cli.Input;
using SseCore.Cli.Output;

namespace SseCore.Cli;

/// <summary>The Messages API modes, <c>--text</c> and <c>--message</c>.</summary>
internal static partial class SseCat
{
    /// <summary>
    /// Reads the input as a Messages API stream: the text deltas go to the sink as they arrive (if
    /// it wants them), then the final message, or after a failure the partial one.
    /// </summary>
    /// <remarks>
    /// How the stream ended decides the exit code and the line on standard error: complete, 0;
    /// an <c>error</c> event or an error response, 3 and <c>error: TYPE: MESSAGE</c>; the body
    /// ended before <c>message_stop</c>, 4; broken, over a limit or not the protocol, 2. Failures
    /// to open the input are <see cref="IOException"/>s, left to <see cref="RunAsync(string[], Stream, Stream, TextWriter, bool, CancellationToken)"/>.
    /// </remarks>
    private static async Task<int> RunMessageModeAsync(CliOptions options, Stream stdin, IMessageSink sink, TextWriter stderr, RunStats? stats, CancellationToken cancellationToken)
    {
        HttpClient? client = null;
        HttpRequestMessage? request = null;
        FileStream? file = null;
        MessageStream? stream = null;
        try
        {
            try
            {
                if (options.Url is not null)
                {
                    client = HttpInput.CreateClient();
                    request = await HttpInput.CreateRequestAsync(options, stdin, cancellationToken).ConfigureAwait(false);
                    stream = await HttpInput.SendMessageStreamAsync(client, request, options.ToParserOptions(), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    file = options.IsStandardInput ? null : OpenFile(options.Input);
                    stream = MessageStream.Create((Stream?)file ?? stdin, options.ToParserOptions(), leaveOpen: true);
                }

                stats?.Track(stream.SseState);

                // Event by event (what MoveNextTextAsync and GetFinalMessageAsync do inside), so
                // that --stats sees the first event whatever the mode; no read past message_stop.
                while (!stream.IsComplete && await stream.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    stats?.OnEvent();
                    if (sink.StreamsText)
                    {
                        // Empty unless the event is a text delta; then nothing is written.
                        sink.WriteText(stream.CurrentText);
                        await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                // Throws the typed failure (truncation included).
                Message message = await stream.GetFinalMessageAsync(cancellationToken).ConfigureAwait(false);
                if (stats is not null)
                {
                    stats.SetUsage(message.Usage);
                }

                await sink.WriteEndAsync(message, isComplete: true, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (AnthropicStreamInterruptedException e) when (e.IsCancellation && cancellationToken.IsCancellationRequested)
            {
                if (stats is not null && e.PartialMessage is not null)
                {
                    stats.SetUsage(e.PartialMessage.Usage);
                }

                return ExitCodes.Canceled;
            }
            catch (AnthropicException e)
            {
                if (stats is not null)
                {
                    stats.OnFailure();
                    if (e.PartialMessage is not null)
                    {
                        stats.SetUsage(e.PartialMessage.Usage);
                    }
                }

                await sink.WriteEndAsync(e.PartialMessage, isComplete: false, cancellationToken).ConfigureAwait(false);
                (int code, string line) = e switch
                {
                    AnthropicApiException api => (ExitCodes.ApiError, $"error: {api.ErrorType.Value}: {api.ErrorMessage}"),
                    AnthropicStreamTruncatedException { PartialMessage: null } => (ExitCodes.Truncated, $"{Name}: the stream ended before message_start: there is no message"),
                    AnthropicStreamTruncatedException => (ExitCodes.Truncated, $"{Name}: the stream ended before message_stop: the message is incomplete"),
                    _ => (ExitCodes.Failure, $"{Name}: {e.Message}"),
                };
                await ReportLineAsync(stderr, line).ConfigureAwait(false);
                return code;
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }

            request?.Dispose();
            client?.Dispose();
        }
    }
}
