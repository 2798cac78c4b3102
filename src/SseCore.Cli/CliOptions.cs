using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;

namespace SseCore.Cli;

/// <summary>How the events are printed.</summary>
internal enum OutputMode
{
    /// <summary><c>--events</c>, the default: a readable SSE-like rendering, one block per event.</summary>
    Human,

    /// <summary><c>--jsonl</c>: one JSON object per event, then an end line.</summary>
    JsonLines,

    /// <summary><c>--text</c>: a Messages API stream's text deltas as they arrive, then the token counts on stderr.</summary>
    Text,

    /// <summary><c>--message</c>: a Messages API stream's final (or partial) message as one JSON line.</summary>
    Message,
}

/// <summary>One <c>-H 'Name: value'</c> request header.</summary>
/// <param name="Name">The field name, as given.</param>
/// <param name="Value">The value, without the whitespace around it.</param>
/// <param name="IsContentHeader">Whether it describes the body (<c>Content-Type</c>, ...): HttpClient keeps those on the content.</param>
internal sealed record CliHeader(string Name, string Value, bool IsContentHeader);

/// <summary>The command line, parsed: what to read, how to print it, and the parser limits.</summary>
/// <remarks>
/// Options and the operand may come in any order; <c>--</c> ends the options; <c>-</c> (or no
/// operand) is standard input; an operand starting with <c>http://</c> or <c>https://</c> is a
/// URL. Value options take their value as the next argument or, for the long ones, after
/// <c>=</c> (<c>--max-line-length 16</c> or <c>--max-line-length=16</c>).
/// </remarks>
internal sealed class CliOptions
{
    /// <summary>The operand that names standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>The usage text printed by <c>--help</c> and after a usage error.</summary>
    public const string Usage =
        """
        Usage: ssecat [OPTIONS] [FILE | - | URL]

        Prints the events of a text/event-stream read from FILE, from standard input when FILE
        is '-' or absent, or from an http:// or https:// URL, each as soon as its blank line has
        been read. --text and --message read it as an Anthropic Messages API stream.

        Modes (one of):
          --events               (the default) each event as its SSE lines, made safe for a
                                 terminal; for reading, not for scripts
          --jsonl                one JSON object per event, then one end line:
                                   {"type":"...","data":"...","id":"..."}
                                   {"end":true,"lastEventId":"...","retry":N or null}
          --text                 the text deltas as they arrive; then on stderr
                                   Tokens: N in, M out
          --message              the final message as one line of JSON (the Messages API
                                 shape); after a failure, the partial message if any

        Options:
          --stats                when the run ends (also after a failure or Ctrl+C), one
                                 line on stderr, with any mode:
                                   stats: events=N bytes=N elapsed_ms=F events_per_s=F
                                   first_event_ms=F|none [input_tokens=N output_tokens=N]
                                 (times from opening the input or sending the request;
                                 the tokens in --text and --message, once message_start came)
          -H, --header 'Name: value'
                                 a request header (URL only; repeatable)
          -d, --data DATA        POST DATA as the request body (URL only); @FILE posts the
                                 file's bytes, @- standard input; Content-Type is
                                 application/json unless a -H sets it. Without -d: GET
          --max-line-length N    fail on a line longer than N bytes (default 4194304)
          --max-event-size N     fail on an event whose data exceeds N bytes (default 16777216)
          -h, --help             print this help and exit
          --                     end of options: what follows is the FILE

        Examples:
          ssecat --jsonl events.sse
          curl -sN https://host/stream | ssecat
          ssecat --text --stats https://api.anthropic.com/v1/messages -d @req.json \
            -H "x-api-key: $ANTHROPIC_API_KEY" -H "anthropic-version: 2023-06-01"

        Exit status: 0 the stream was read to its end (--text, --message: the message is
        complete); 2 the input could not be opened or read (no such file, HTTP or network
        error, a limit exceeded, a broken or malformed stream) or the output could not be
        written; 3 the API reported an error (--text, --message); 4 the stream ended before
        message_stop (--text, --message); 64 bad usage; 130 interrupted (Ctrl+C); 141 the
        reader of the output went away.

        """;

    private readonly List<CliHeader> _headers = [];

    private CliOptions()
    {
    }

    /// <summary>How events are printed.</summary>
    public OutputMode Mode { get; private set; } = OutputMode.Human;

    /// <summary>Whether the mode reads the stream as a Messages API stream (<c>--text</c>, <c>--message</c>).</summary>
    public bool IsMessageMode => Mode is OutputMode.Text or OutputMode.Message;

    /// <summary>The input: a file path, <see cref="StandardInput"/>, or the URL's text.</summary>
    public string Input { get; private set; } = StandardInput;

    /// <summary>Whether the input is standard input.</summary>
    public bool IsStandardInput => Input == StandardInput;

    /// <summary>The URL to request, or <see langword="null"/> when the input is a file or standard input.</summary>
    public Uri? Url { get; private set; }

    /// <summary>The <c>-H</c> request headers, in order.</summary>
    public IReadOnlyList<CliHeader> Headers => _headers;

    /// <summary>
    /// The <c>-d</c> argument, or <see langword="null"/> for a GET: the body itself, or
    /// <c>@FILE</c> for a file's bytes (<c>@-</c> for standard input).
    /// </summary>
    public string? Data { get; private set; }

    /// <summary><c>--max-line-length</c>, or <see langword="null"/> for the library default.</summary>
    public int? MaxLineLength { get; private set; }

    /// <summary><c>--max-event-size</c>, or <see langword="null"/> for the library default.</summary>
    public int? MaxEventSize { get; private set; }

    /// <summary><c>--stats</c>: one line of counts and timings on standard error when the run ends.</summary>
    public bool Stats { get; private set; }

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
                    throw new CliUsageException($"too many operands: '{operand}' and '{arg}' (one FILE or URL at most)");
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
                case "--events":
                    RejectValue(name, inlineValue);
                    SetMode(ref mode, OutputMode.Human, name);
                    break;
                case "--jsonl":
                    RejectValue(name, inlineValue);
                    SetMode(ref mode, OutputMode.JsonLines, name);
                    break;
                case "--text":
                    RejectValue(name, inlineValue);
                    SetMode(ref mode, OutputMode.Text, name);
                    break;
                case "--message":
                    RejectValue(name, inlineValue);
                    SetMode(ref mode, OutputMode.Message, name);
                    break;
                case "--stats":
                    RejectValue(name, inlineValue);
                    options.Stats = true;
                    break;
                case "-H":
                case "--header":
                    options._headers.Add(ParseHeader(name, inlineValue ?? TakeValue(args, ref i, name)));
                    break;
                case "-d":
                case "--data":
                    if (options.Data is not null)
                    {
                        throw new CliUsageException($"option '{name}' may be given once");
                    }

                    options.Data = inlineValue ?? TakeValue(args, ref i, name);
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
        if (IsUrl(options.Input))
        {
            if (!Uri.TryCreate(options.Input, UriKind.Absolute, out Uri? url) || string.IsNullOrEmpty(url.Host))
            {
                throw new CliUsageException($"'{options.Input}' is not a valid URL");
            }

            options.Url = url;
            ClassifyHeaders(options);
        }
        else if (options._headers.Count > 0 || options.Data is not null)
        {
            throw new CliUsageException("-H and -d need a URL to send the request to");
        }

        return options;
    }

    /// <summary>Whether an operand names a URL rather than a file.</summary>
    private static bool IsUrl(string operand) =>
        operand.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || operand.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Sorts the headers into request and content headers as HttpClient does, and refuses those
    /// it cannot send: a content header without a body, and <c>Content-Length</c> (the body's).
    /// </summary>
    private static void ClassifyHeaders(CliOptions options)
    {
        using var probe = new HttpRequestMessage();
        using var content = new ByteArrayContent([]);
        for (int i = 0; i < options._headers.Count; i++)
        {
            CliHeader header = options._headers[i];
            if (probe.Headers.TryAddWithoutValidation(header.Name, header.Value))
            {
                continue;
            }

            if (!content.Headers.TryAddWithoutValidation(header.Name, header.Value))
            {
                throw new CliUsageException($"header '{header.Name}' cannot be sent");
            }

            if (string.Equals(header.Name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliUsageException("header 'Content-Length' is set from the body; do not give it");
            }

            if (options.Data is null)
            {
                throw new CliUsageException($"header '{header.Name}' describes a request body: give one with -d");
            }

            options._headers[i] = header with { IsContentHeader = true };
        }
    }

    /// <summary>Parses <c>Name: value</c>; the name must be an HTTP token (RFC 9110 5.1).</summary>
    private static CliHeader ParseHeader(string option, string header)
    {
        int colon = header.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? header : header.Substring(0, colon);
        if (colon <= 0 || !IsToken(name))
        {
            throw new CliUsageException($"option '{option}' needs 'Name: value' with a valid header name, not '{header}'");
        }

        string value = header.Substring(colon + 1).Trim(' ', '\t');
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new CliUsageException($"option '{option}': the value of header '{name}' contains a line break or NUL");
        }

        return new CliHeader(name, value, IsContentHeader: false);
    }

    private static bool IsToken(string name)
    {
        foreach (char c in name)
        {
            bool ok = char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
            if (!ok)
            {
                return false;
            }
        }

        return name.Length > 0;
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
