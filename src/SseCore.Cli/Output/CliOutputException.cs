using System;
using System.IO;

namespace SseCore.Cli.Output;

/// <summary>Writing to the output failed (e.g. a closed pipe): told apart from input errors.</summary>
internal sealed class CliOutputException : IOException
{
    /// <summary>Wraps the error of the output stream.</summary>
    /// <param name="inner">What the output stream threw.</param>
    public CliOutputException(Exception inner)
        : base("cannot write the output: " + inner.Message, inner)
    {
    }

    /// <summary>
    /// Whether the output is a pipe whose reader is gone: on Unix the runtime reports the errno
    /// as the <see cref="Exception.HResult"/> of the <see cref="IOException"/> (EPIPE is 32 on
    /// Linux and macOS).
    /// </summary>
    public bool IsBrokenPipe => !OperatingSystem.IsWindows() && InnerException is IOException { HResult: EPipe };

    private const int EPipe = 32;
}
