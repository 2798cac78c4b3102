using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SseCore.Cli.Output;

namespace SseCore.Cli;

/// <summary>Exit codes of <c>ssecat</c> (documented in docs/SSECAT.md).</summary>
internal static class ExitCodes
{
    /// <summary>The stream was read to its end and every event printed.</summary>
    public const int Success = 0;

    /// <summary>
    /// The input could not be opened or read, the stream exceeded a limit, or the output could
    /// not be written. One line <c>ssecat: MESSAGE</c> on standard error says which.
    /// </summary>
    public const int Failure = 2;

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
internal static class SseCat
{
    private const string Name = "ssecat";

    /// <summary>Runs <c>ssecat</c>.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="stdin">Standard input, read when the input is <c>-</c> or absent; not disposed.</param>
    /// <param name="stdout">Standard output, as bytes; not disposed.</param>
    /// <param name="stderr">Standard error, for messages and the usage after a usage error.</param>
    /// <param name="cancellationToken">Stops reading; the result is then <see cref="ExitCodes.Canceled"/>.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string[] args, Stream stdin, Stream stdout, TextWriter stderr, CancellationToken cancellationToken)
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

        try
        {
            if (options.ShowHelp)
            {
                await stdout.WriteAsync(Encoding.UTF8.GetBytes(CliOptions.Usage), cancellationToken).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            using IEventSink sink = CreateSink(options.Mode, stdout);
            Stream input = options.IsStandardInput ? stdin : OpenFile(options.Input);
            try
            {
                await CopyEventsAsync(input, options.ToParserOptions(), sink, cancellationToken).ConfigureAwait(false);
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
    private static async Task CopyEventsAsync(Stream input, SseParserOptions? parserOptions, IEventSink sink, CancellationToken cancellationToken)
    {
        // leaveOpen: RunAsync owns the input (and standard input is not ours to close).
        SseReader reader = SseReader.Create(input, parserOptions, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
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
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"{path}: reading from a URL is not supported yet; use e.g. 'curl -N URL | ssecat -'");
        }

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

    private static async Task ReportAsync(TextWriter stderr, string message)
    {
        // One line, whatever the exception's message holds.
        string line = message.Replace('\r', ' ').Replace('\n', ' ');
        await stderr.WriteLineAsync($"{Name}: {line}").ConfigureAwait(false);
        await stderr.FlushAsync().ConfigureAwait(false);
    }
}
