using System;
using System.Collections.Generic;
using System.Globalization;

namespace SseCore.Cli;

/// <summary>How the events are printed.</summary>
internal enum OutputMode
{
    /// <summary>The default: a readable SSE-like rendering, one block per event.</summary>
    Human,

    /// <summary><c>--jsonl</c>: one JSON object per event, then an end line.</summary>
    JsonLines,
}

/// <summary>The command line, parsed: what to read, how to print it, and the parser limits.</summary>
/// <remarks>
/// Options and the operand may come in any order; <c>--</c> ends the options; <c>-</c> (or no
/// operand) is standard input. Value options take their value as the next argument or after
/// <c>=</c> (<c>--max-line-length 16</c> or <c>--max-line-length=16</c>).
/// </remarks>
internal sealed class CliOptions
{
    /// <summary>The operand that names standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>The usage text printed by <c>--help</c> and after a usage error.</summary>
    public const string Usage =
        """
        Usage: ssecat [OPTIONS] [FILE | -]

        Prints the events of a text/event-stream read from FILE, or from standard input when
        FILE is '-' or absent, each as soon as its blank line has been read.

        Options:
          --jsonl                one JSON object per event, then one end line:
                                   {"type":"...","data":"...","id":"..."}
                                   {"end":true,"lastEventId":"...","retry":N or null}
          --max-line-length N    fail on a line longer than N bytes (default 4194304)
          --max-event-size N     fail on an event whose data exceeds N bytes (default 16777216)
          -h, --help             print this help and exit

        Exit status: 0 the stream was read to its end; 2 it could not be read (no such file,
        read error, a limit exceeded) or the output could not be written; 64 bad usage.

        """;

    private CliOptions()
    {
    }

    /// <summary>How events are printed.</summary>
    public OutputMode Mode { get; private set; } = OutputMode.Human;

    /// <summary>The input: a file path, or <see cref="StandardInput"/>.</summary>
    public string Input { get; private set; } = StandardInput;

    /// <summary>Whether the input is standard input.</summary>
    public bool IsStandardInput => Input == StandardInput;

    /// <summary><c>--max-line-length</c>, or <see langword="null"/> for the library default.</summary>
    public int? MaxLineLength { get; private set; }

    /// <summary><c>--max-event-size</c>, or <see langword="null"/> for the library default.</summary>
    public int? MaxEventSize { get; private set; }

    /// <summary><c>-h</c> / <c>--help</c>: print the usage and exit 0, whatever else was given.</summary>
    public bool ShowHelp { get; private set; }

    /// <summary>The parser options the limits map to; <see langword="null"/> when neither was given.</summary>
    public SseParserOptions? ToParserOptions()
    {
        if (MaxLineLength is null && MaxEventSize is null)
        {
            return null;
        }

        var options = new SseParserOptions();
        if (MaxLineLength is int line)
        {
            options.MaxLineLength = line;
        }

        if (MaxEventSize is int size)
        {
            options.MaxEventSize = size;
        }

        return options;
    }

    /// <summary>Parses the arguments.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <returns>The options.</returns>
    /// <exception cref="CliUsageException">The arguments are not valid.</exception>
    public static CliOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new CliOptions();
        OutputMode? mode = null;
        string? operand = null;
        bool optionsEnded = false;

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg == StandardInput || !arg.StartsWith('-'))
            {
                if (operand is not null)
                {
                    throw new CliUsageException($"too many operands: '{operand}' and '{arg}' (one FILE at most)");
                }

                if (arg.Length == 0)
                {
                    throw new CliUsageException("the FILE operand is empty");
                }

                operand = arg;
                continue;
            }

            string name = arg;
            string? inlineValue = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 2)
            {
                name = arg.Substring(0, equals);
                inlineValue = arg.Substring(equals + 1);
            }

            switch (name)
            {
                case "--":
                    optionsEnded = true;
                    break;
                case "-h":
                case "--help":
                    RejectValue(name, inlineValue);
                    options.ShowHelp = true;
                    break;
                case "--jsonl":
                    RejectValue(name, inlineValue);
                    SetMode(ref mode, OutputMode.JsonLines, name);
                    break;
                case "--max-line-length":
                    options.MaxLineLength = ParsePositive(name, inlineValue ?? TakeValue(args, ref i, name));
                    break;
                case "--max-event-size":
                    options.MaxEventSize = ParsePositive(name, inlineValue ?? TakeValue(args, ref i, name));
                    break;
                default:
                    throw new CliUsageException($"unknown option '{arg}'");
            }
        }

        options.Mode = mode ?? OutputMode.Human;
        options.Input = operand ?? StandardInput;
        return options;
    }

    private static void SetMode(ref OutputMode? mode, OutputMode value, string name)
    {
        if (mode is OutputMode current && current != value)
        {
            throw new CliUsageException($"'{name}' conflicts with another output mode (choose one)");
        }

        mode = value;
    }

    private static void RejectValue(string name, string? inlineValue)
    {
        if (inlineValue is not null)
        {
            throw new CliUsageException($"option '{name}' takes no value");
        }
    }

    private static string TakeValue(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count)
        {
            throw new CliUsageException($"option '{name}' needs a value");
        }

        i++;
        return args[i];
    }

    private static int ParsePositive(string name, string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
        {
            throw new CliUsageException($"option '{name}' needs a positive whole number of bytes (at most {int.MaxValue}), not '{value}'");
        }

        return n;
    }
}

/// <summary>The command line is not valid: the message says why, without the program name.</summary>
internal sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, e.g. <c>unknown option '--x'</c>.</param>
    public CliUsageException(string message)
        : base(message)
    {
    }
}
