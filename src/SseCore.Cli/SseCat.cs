using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Cli.Input;
using SseCore.Cli.Output;

namespace SseCore.Cli;

/// <summary>Exit codes of <c>ssecat</c> (documented in docs/SSECAT.md).</summary>
internal static class ExitCodes
{
    /// <summary>The stream was read to its end and every event printed (<c>--text</c>, <c>--message</c>: the message is complete).</summary>
    public const int Success = 0;

    /// <summary>
    /// The input could not be opened or read (a file, an HTTP request, a broken connection), the
    /// stream exceeded a limit or broke the Messages protocol, or the output could not be
    /// written. One line <c>ssecat: MESSAGE</c> on standard error says which.
    /// </summary>
    public const int Failure = 2;

    /// <summary>
    /// <c>--text</c>, <c>--message</c>: the API reported an error, in an <c>error</c> event or as a
    /// non-2xx response. One line <c>error: TYPE: MESSAGE</c> on standard error.
    /// </summary>
    public const int ApiError = 3;

    /// <summary><c>--text</c>, <c>--message</c>: the stream ended cleanly but before <c>message_stop</c>.</summary>
    public const int Truncated = 4;

    /// <summary>Interrupted through the cancellation token.</summary>
    public const int Canceled = 130;

    /// <summary>Bad usage (sysexits.h EX_USAGE): a message and the usage on standard error.</summary>
    public const int Usage = 64;

    /// <summary>
    /// The reader of the output went away (EPIPE, e.g. <c>ssecat | head -1</c>): no message, and
    /// the status a shell shows for a process killed by SIGPIPE (128 + 13).
    /// </summary>
    public const int BrokenPipe = 141;
}

/// <summary>
/// The whole of <c>ssecat</c> as one testable call over explicit streams; <c>Program.Main</c> only
/// supplies the console's.
/// </summary>
internal static partial class SseCat
{
    private const string Name = "ssecat";

    /// <summary>Runs <c>ssecat</c>.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="stdin">Standard input, read when the input is <c>-</c> or absent (or for <c>-d @-</c>); not disposed.</param>
    /// <param name="stdout">Standard output, as bytes; not disposed.</param>
    /// <param name="stderr">Standard error, for messages and the usage after a usage error.</param>
    /// <param name="cancellationToken">Stops reading; the result is then <see cref="ExitCodes.Canceled"/>.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static Task<int> RunAsync(string[] args, Stream stdin, Stream stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, stdin, stdout, stderr, outputIsTerminal: false, statsStarted: null, cancellationToken);

    /// <summary>Runs <c>ssecat</c>, told whether standard output is a terminal.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="stdin">Standard input, read when the input is <c>-</c> or absent (or for <c>-d @-</c>); not disposed.</param>
    /// <param name="stdout">Standard output, as bytes; not disposed.</param>
    /// <param name="stderr">Standard error, for messages and the usage after a usage error.</param>
    /// <param name="outputIsTerminal">Whether <paramref name="stdout"/> is a terminal (<c>--text</c> then ends its output with a line break).</param>
    /// <param name="statsStarted">
    /// With <c>--stats</c>, called with the run's <see cref="RunStats"/> before the input is opened
    /// (the process's Ctrl+C handler writes its line); the run writes the line when it ends, also
    /// when cancelled.
    /// </param>
    /// <param name="cancellationToken">Stops reading; the result is then <see cref="ExitCodes.Canceled"/>.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string[] args, Stream stdin, Stream stdout, TextWriter stderr, bool outputIsTerminal, Action<RunStats>? statsStarted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        CliOptions options;
        try
        {
            options = CliOptions.Parse(args);
        }
        catch (CliUsageException e)
        {
            await stderr.WriteLineAsync($"{Name}: {e.Message}").ConfigureAwait(false);
            await stderr.WriteAsync(CliOptions.Usage).ConfigureAwait(false);
            await stderr.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        // Started before the input is opened or the request is sent: elapsed and the time to the
        // first event count from there. --help reads nothing, so it has no stats.
        RunStats? stats = options.Stats && !options.ShowHelp ? new RunStats() : null;
        if (stats is not null)
        {
            statsStarted?.Invoke(stats);
        }

        int exitCode = await RunInputAsync(options, stdin, stdout, stderr, outputIsTerminal, stats, cancellationToken).ConfigureAwait(false);
        stats?.TryWrite(stderr);

        return exitCode;
    }

    /// <summary>Reads the input in the chosen mode and maps how that ended to the exit code (and the line on standard error).</summary>
    private static async Task<int> RunInputAsync(CliOptions options, Stream stdin, Stream stdout, TextWriter stderr, bool outputIsTerminal, RunStats? stats, CancellationToken cancellationToken)
    {
        try
        {
            if (options.ShowHelp)
            {
                await stdout.WriteAsync(Encoding.UTF8.GetBytes(CliOptions.Usage), cancellationToken).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (options.IsMessageMode)
            {
                using IMessageSink messageSink = options.Mode == OutputMode.Text
                    ? new TextSink(stdout, stderr, outputIsTerminal)
                    : new MessageJsonSink(stdout);
                return await RunMessageModeAsync(options, stdin, messageSink, stderr, stats, cancellationToken).ConfigureAwait(false);
            }

            using IEventSink sink = CreateSink(options.Mode, stdout);
            if (options.Url is not null)
            {
                using HttpClient client = HttpInput.CreateClient();
                using HttpRequestMessage request = await HttpInput.CreateRequestAsync(options, stdin, cancellationToken).ConfigureAwait(false);
                using HttpResponseMessage response = await HttpInput.SendAsync(client, request, cancellationToken).ConfigureAwait(false);
                Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    await CopyEventsAsync(body, options.ToParserOptions(), sink, stats, cancellationToken).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }

            Stream input = options.IsStandardInput ? stdin : OpenFile(options.Input);
            try
            {
                await CopyEventsAsync(input, options.ToParserOptions(), sink, stats, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (input != stdin)
                {
                    await input.DisposeAsync().ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Canceled;
        }
        catch (CliOutputException e) when (e.IsBrokenPipe)
        {
            return ExitCodes.BrokenPipe;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // SseLimitExceededException is an IOException; its message carries the byte offset.
            await ReportAsync(stderr, e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    /// <summary>Reads events as they arrive and hands each to the sink, flushed before the next read.</summary>
    private static async Task CopyEventsAsync(Stream input, SseParserOptions? parserOptions, IEventSink sink, RunStats? stats, CancellationToken cancellationToken)
    {
        // leaveOpen: RunAsync owns the input (and standard input is not ours to close).
        SseReader reader = SseReader.Create(input, parserOptions, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            stats?.Track(reader.State);
            while (await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                stats?.OnEvent();
                sink.WriteEvent(reader.Current);
                await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            sink.WriteEnd(reader.State);
            await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEventSink CreateSink(OutputMode mode, Stream stdout) => mode switch
    {
        OutputMode.JsonLines => new JsonLinesSink(stdout),
        _ => new HumanSink(stdout),
    };

    /// <summary>Opens a file to read as it is (it may be a FIFO or a device that is still being written).</summary>
    private static FileStream OpenFile(string path)
    {
        try
        {
            // No FileStream buffer: the PipeReader over the stream is the buffer.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (ArgumentException e)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
    }

    private static async Task ReportAsync(TextWriter stderr, string message) => await ReportLineAsync(stderr, $"{Name}: {message}").ConfigureAwait(false);

    /// <summary>Writes one line, whatever the text holds (line breaks become spaces).</summary>
    private static async Task ReportLineAsync(TextWriter stderr, string line)
    {
        await stderr.WriteLineAsync(line.Replace('\r', ' ').Replace('\n', ' ')).ConfigureAwait(false);
        await stderr.FlushAsync().ConfigureAwait(false);
    }
}
