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
}
