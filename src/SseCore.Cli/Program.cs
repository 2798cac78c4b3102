using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;

namespace SseCore.Cli;

/// <summary>The entry point: <see cref="SseCat.RunAsync"/> over the process's standard byte streams.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        // Raw byte streams, not Console.In/Out: the input is bytes, and the output is UTF-8 bytes
        // written (and flushed) once per event. Ctrl+C keeps its default meaning (terminate at
        // once, status 130): every event printed so far has already been flushed. With --stats
        // the stats line is written first, as ping prints its summary. Not by cancelling the run:
        // a read of a terminal or a pipe cannot be cancelled, and would hold the exit back until
        // more input came.
        RunStats? stats = null;
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Volatile.Read(ref stats)?.TryWrite(Console.Error));
        using Stream stdin = Console.OpenStandardInput();
        using Stream stdout = OpenStandardOutput();
        return await SseCat.RunAsync(args, stdin, stdout, Console.Error, outputIsTerminal: !Console.IsOutputRedirected, s => Volatile.Write(ref stats, s), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Standard output as an unbuffered byte stream. When it is a pipe (or a terminal) this is file
    /// descriptor 1 itself, because the console stream of <see cref="Console.OpenStandardOutput()"/>
    /// pretends that a write to a pipe whose reader has gone succeeded, so
    /// <c>ssecat live-stream | head -1</c> would never stop. A seekable output (a regular file)
    /// keeps the console stream: a <see cref="FileStream"/> writes at its own offset without
    /// moving the descriptor's, and would overwrite what a later command appends to the file.
    /// </summary>
    private static Stream OpenStandardOutput()
    {
        if (!OperatingSystem.IsWindows())
        {
            FileStream? pipe = null;
            try
            {
                pipe = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
                if (!pipe.CanSeek)
                {
                    return pipe;
                }
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                // Not a usable descriptor (e.g. closed): the console's stream copes with that.
            }

            pipe?.Dispose();
        }

        return Console.OpenStandardOutput();
    }
}
