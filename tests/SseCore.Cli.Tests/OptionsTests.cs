namespace SseCore.Cli.Tests;

public class OptionsTests
{
    [Fact]
    public void No_arguments_read_stdin_in_human_mode_with_default_limits()
    {
        CliOptions o = CliOptions.Parse([]);

        Assert.True(o.IsStandardInput);
        Assert.Equal(OutputMode.Human, o.Mode);
        Assert.False(o.ShowHelp);
        Assert.Null(o.ToParserOptions());
    }

    [Theory]
    [InlineData(new[] { "-" }, "-")]
    [InlineData(new[] { "a.sse" }, "a.sse")]
    [InlineData(new[] { "--jsonl", "a.sse" }, "a.sse")]
    [InlineData(new[] { "a.sse", "--jsonl" }, "a.sse")]
    [InlineData(new[] { "--", "-weird name" }, "-weird name")]
    [InlineData(new[] { "--jsonl", "--", "--jsonl" }, "--jsonl")]
    public void The_operand_is_the_input_wherever_it_stands(string[] args, string input)
    {
        Assert.Equal(input, CliOptions.Parse(args).Input);
    }

    [Fact]
    public void Jsonl_selects_the_json_lines_mode_and_may_be_repeated()
    {
        Assert.Equal(OutputMode.JsonLines, CliOptions.Parse(["--jsonl"]).Mode);
        Assert.Equal(OutputMode.JsonLines, CliOptions.Parse(["--jsonl", "--jsonl"]).Mode);
    }

    [Theory]
    [InlineData("--max-line-length", "16", "--max-event-size", "1048576")]
    [InlineData("--max-line-length=16", null, "--max-event-size=1048576", null)]
    public void Limits_map_to_the_parser_options(string a, string? av, string b, string? bv)
    {
        var args = new List<string> { a };
        if (av is not null)
        {
            args.Add(av);
        }

        args.Add(b);
        if (bv is not null)
        {
            args.Add(bv);
        }

        SseParserOptions p = CliOptions.Parse(args).ToParserOptions()!;

        Assert.Equal(16, p.MaxLineLength);
        Assert.Equal(1048576, p.MaxEventSize);
    }

    [Fact]
    public void One_limit_keeps_the_default_of_the_other()
    {
        SseParserOptions p = CliOptions.Parse(["--max-event-size", "5"]).ToParserOptions()!;

        Assert.Equal(SseParserOptions.DefaultMaxLineLength, p.MaxLineLength);
        Assert.Equal(5, p.MaxEventSize);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void Help_is_asked_for(string arg)
    {
        Assert.True(CliOptions.Parse([arg, "--jsonl"]).ShowHelp);
    }

    [Theory]
    [InlineData("unknown option '--bogus'", "--bogus")]
    [InlineData("unknown option '-x'", "-x")]
    [InlineData("unknown option '--json'", "--json")]
    [InlineData("option '--max-line-length' needs a value", "--max-line-length")]
    [InlineData("option '--max-line-length' needs a positive whole number of bytes (at most 2147483647), not '0'", "--max-line-length", "0")]
    [InlineData("option '--max-event-size' needs a positive whole number of bytes (at most 2147483647), not '-5'", "--max-event-size", "-5")]
    [InlineData("option '--max-event-size' needs a positive whole number of bytes (at most 2147483647), not '1k'", "--max-event-size=1k")]
    [InlineData("option '--max-event-size' needs a positive whole number of bytes (at most 2147483647), not '2147483648'", "--max-event-size", "2147483648")]
    [InlineData("option '--jsonl' takes no value", "--jsonl=yes")]
    [InlineData("too many operands: 'a' and 'b' (one FILE or URL at most)", "a", "b")]
    [InlineData("too many operands: '-' and 'b' (one FILE or URL at most)", "-", "b")]
    [InlineData("the FILE operand is empty", "")]
    [InlineData("'--message' conflicts with another output mode (choose one)", "--text", "--message")]
    [InlineData("'--jsonl' conflicts with another output mode (choose one)", "--message", "--jsonl")]
    [InlineData("option '--text' takes no value", "--text=1")]
    [InlineData("-H and -d need a URL to send the request to", "a.sse", "-H", "X-A: 1")]
    [InlineData("-H and -d need a URL to send the request to", "-d", "{}")]
    [InlineData("option '-H' needs a value", "https://h/", "-H")]
    [InlineData("option '-H' needs 'Name: value' with a valid header name, not 'no colon'", "https://h/", "-H", "no colon")]
    [InlineData("option '-H' needs 'Name: value' with a valid header name, not ': v'", "https://h/", "-H", ": v")]
    [InlineData("option '--header' needs 'Name: value' with a valid header name, not 'Bad Name: v'", "https://h/", "--header", "Bad Name: v")]
    [InlineData("option '-d' may be given once", "https://h/", "-d", "{}", "-d", "{}")]
    [InlineData("header 'Content-Type' describes a request body: give one with -d", "https://h/", "-H", "Content-Type: application/json")]
    [InlineData("header 'Content-Length' is set from the body; do not give it", "https://h/", "-d", "{}", "-H", "Content-Length: 2")]
    [InlineData("'http://' is not a valid URL", "http://")]
    [InlineData("too many operands: 'https://h/' and 'b' (one FILE or URL at most)", "https://h/", "b")]
    public void Bad_usage_says_why(string message, params string[] args)
    {
        CliUsageException e = Assert.Throws<CliUsageException>(() => CliOptions.Parse(args));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Events_names_the_default_mode_and_conflicts_with_the_others()
    {
        Assert.Equal(OutputMode.Human, CliOptions.Parse(["--events", "a.sse"]).Mode);
        Assert.Equal(OutputMode.Human, CliOptions.Parse(["--events", "--events"]).Mode);
        foreach (string other in new[] { "--jsonl", "--text", "--message" })
        {
            Assert.Equal($"'{other}' conflicts with another output mode (choose one)", Assert.Throws<CliUsageException>(() => CliOptions.Parse(["--events", other])).Message);
            Assert.Equal("'--events' conflicts with another output mode (choose one)", Assert.Throws<CliUsageException>(() => CliOptions.Parse([other, "--events"])).Message);
        }
    }

    [Theory]
    [InlineData("--events")]
    [InlineData("--jsonl")]
    [InlineData("--text")]
    [InlineData("--message")]
    public void Stats_combines_with_every_mode(string mode)
    {
        CliOptions o = CliOptions.Parse(["--stats", mode]);

        Assert.True(o.Stats);
        Assert.False(CliOptions.Parse([mode]).Stats);
        Assert.Equal("option '--stats' takes no value", Assert.Throws<CliUsageException>(() => CliOptions.Parse([mode, "--stats=1"])).Message);
    }

    [Theory]
    [InlineData("--events")]
    [InlineData("--jsonl")]
    [InlineData("--text")]
    [InlineData("--message")]
    [InlineData("--stats")]
    [InlineData("-H, --header")]
    [InlineData("-d, --data")]
    [InlineData("--max-line-length")]
    [InlineData("--max-event-size")]
    [InlineData("-h, --help")]
    [InlineData("  --  ")]
    [InlineData("64 bad usage")]
    [InlineData("130 interrupted")]
    [InlineData("141 the")]
    public void The_usage_documents_every_mode_option_and_exit_status(string text)
    {
        Assert.Contains(text, CliOptions.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_and_message_select_the_messages_modes()
    {
        Assert.Equal(OutputMode.Text, CliOptions.Parse(["--text"]).Mode);
        Assert.Equal(OutputMode.Message, CliOptions.Parse(["--message", "--message"]).Mode);
        Assert.True(CliOptions.Parse(["--text"]).IsMessageMode);
        Assert.False(CliOptions.Parse(["--jsonl"]).IsMessageMode);
    }

    [Fact]
    public void An_http_operand_is_a_url_with_its_headers_and_body()
    {
        CliOptions o = CliOptions.Parse(["--text", "HTTPS://api.example.com/v1/messages", "-H", "x-api-key:  k=1 ", "--header=anthropic-version: 2023-06-01", "-H", "Content-Type: text/plain", "--data=@req.json"]);

        Assert.Equal(new Uri("https://api.example.com/v1/messages"), o.Url);
        Assert.Equal("@req.json", o.Data);
        Assert.Equal(
            [new CliHeader("x-api-key", "k=1", false), new CliHeader("anthropic-version", "2023-06-01", false), new CliHeader("Content-Type", "text/plain", true)],
            o.Headers);
    }

    [Fact]
    public void A_file_is_not_a_url_and_a_url_needs_no_data()
    {
        Assert.Null(CliOptions.Parse(["http.sse"]).Url);
        Assert.Null(CliOptions.Parse(["--", "./http://x"]).Url);
        CliOptions get = CliOptions.Parse(["http://127.0.0.1:8080/events"]);
        Assert.Null(get.Data);
        Assert.Empty(get.Headers);
    }
}
