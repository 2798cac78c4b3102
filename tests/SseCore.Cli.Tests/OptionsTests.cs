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
    public void Bad_usage_says_why(string message, params string[] args)
    {
        CliUsageException e = Assert.Throws<CliUsageException>(() => CliOptions.Parse(args));

        Assert.Equal(message, e.Message);
    }
}
