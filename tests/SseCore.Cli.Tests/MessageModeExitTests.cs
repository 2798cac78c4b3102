using System.IO.Pipelines;
using System.Text.Json;
using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary>--text and --message over files and stdin: how each way a stream can end maps to stdout, stderr and the exit code.</summary>
public class MessageModeExitTests
{
    private const string Fixture = "basic_text.sse";

    [Fact]
    public async Task An_error_event_mid_stream_from_stdin_exits_3_with_the_partial_message()
    {
        string stream = AnthropicStreams.InsertAfterDeltas(Fixture, 1, AnthropicStreams.OverloadedErrorEvent);

        CliResult message = await CliRun.RunAsync(stream, "--message");
        CliResult text = await CliRun.RunAsync(stream, "--text");

        Assert.Equal(3, message.ExitCode);
        Assert.Equal("error: overloaded_error: Overloaded\n", message.Stderr);
        using var doc = JsonDocument.Parse(Assert.Single(message.StdoutLines));
        Assert.Equal("Hello", doc.RootElement.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(3, text.ExitCode);
        Assert.Equal("Hello", text.StdoutText);
        Assert.Equal("error: overloaded_error: Overloaded\n", text.Stderr);
    }

    [Fact]
    public async Task An_error_message_with_a_line_break_stays_on_one_line()
    {
        const string Error = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal\\nserver error\"}}\n\n";

        CliResult result = await CliRun.RunAsync(Error, "--message");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("error: api_error: Internal server error\n", result.Stderr);
    }

    [Theory]
    [InlineData("message_delta")]
    [InlineData("content_block_delta")]
    [InlineData("message_start")]
    public async Task A_stream_that_ends_before_message_stop_exits_4_with_the_partial_message(string lastEvent)
    {
        string stream = AnthropicStreams.UpToAndIncluding(Fixture, lastEvent);

        CliResult message = await CliRun.RunAsync(stream, "--message");
        CliResult text = await CliRun.RunAsync(stream, "--text");

        Assert.Equal(4, message.ExitCode);
        Assert.Equal("ssecat: the stream ended before message_stop: the message is incomplete\n", message.Stderr);
        using var doc = JsonDocument.Parse(Assert.Single(message.StdoutLines));
        Assert.Equal("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", doc.RootElement.GetProperty("id").GetString());
        Assert.Equal(4, text.ExitCode);
        Assert.Equal(AnthropicStreams.ReferenceText(Encoding.UTF8.GetBytes(stream)), text.StdoutText);
        Assert.Equal(message.Stderr, text.Stderr);
    }

    [Theory]
    [InlineData("")]
    [InlineData("data: not a messages stream\n\n")]
    [InlineData("event: ping\ndata: {\"type\":\"ping\"}\n\n")]
    public async Task A_stream_without_message_start_exits_4_with_nothing_on_stdout(string stream)
    {
        foreach (string mode in new[] { "--message", "--text" })
        {
            CliResult result = await CliRun.RunAsync(stream, mode);

            Assert.Equal(4, result.ExitCode);
            Assert.Empty(result.Stdout);
            Assert.Equal("ssecat: the stream ended before message_start: there is no message\n", result.Stderr);
        }
    }

    [Fact]
    public async Task Malformed_event_data_exits_2_with_the_partial_message_and_where_it_was()
    {
        string stream = AnthropicStreams.UpToAndIncluding(Fixture, "content_block_delta")
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"!\"\n\n";

        CliResult message = await CliRun.RunAsync(stream, "--message");
        CliResult text = await CliRun.RunAsync(stream, "--text");

        Assert.Equal(2, message.ExitCode);
        Assert.StartsWith("ssecat: Invalid 'content_block_delta' event (event #5, at byte offset ", message.Stderr, StringComparison.Ordinal);
        Assert.Single(message.Stderr.TrimEnd('\n').Split('\n'));
        using var doc = JsonDocument.Parse(Assert.Single(message.StdoutLines));
        Assert.Equal("Hello", doc.RootElement.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(2, text.ExitCode);
        Assert.Equal("Hello", text.StdoutText);
        Assert.Equal(message.Stderr, text.Stderr);
    }

    [Fact]
    public async Task A_limit_exceeded_exits_2_with_the_partial_message()
    {
        CliResult result = await CliRun.RunAsync([], "--message", "--max-line-length", "200", CliRun.Fixture(Fixture));

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Stdout); // the first line (message_start) is the long one: no message yet
        Assert.StartsWith("ssecat: The message stream exceeded a limit after 0 events: The event stream has a line longer than the limit of 200 bytes (MaxLineLength) at byte offset ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_error_after_message_start_exits_2_with_the_partial_message()
    {
        byte[] head = Encoding.UTF8.GetBytes(AnthropicStreams.UpToAndIncluding(Fixture, "content_block_delta"));
        var stdin = new TrickleStream(head, int.MaxValue, new IOException("Connection reset by peer"));

        CliResult result = await CliRun.RunAsync(stdin, "--message");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("ssecat: The message stream broke after 4 events: Connection reset by peer\n", result.Stderr);
        using var doc = JsonDocument.Parse(Assert.Single(result.StdoutLines));
        Assert.Equal("Hello", doc.RootElement.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Cancellation_exits_130_after_the_text_already_printed_and_prints_nothing_more()
    {
        var input = new Pipe();
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        using var cts = new CancellationTokenSource();
        Task<int> run = SseCat.RunAsync(["--message"], input.Reader.AsStream(), stdout, stderr, cts.Token);
        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes(AnthropicStreams.UpToAndIncluding(Fixture, "content_block_delta")));

        await cts.CancelAsync();

        Assert.Equal(130, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Empty(stdout.ToArray());
        Assert.Equal("", stderr.ToString());
    }

    [Theory]
    [InlineData(Fixture, "Hello!\n")]
    [InlineData("web_search_server_tool_use.sse", null)]
    public async Task On_a_terminal_the_text_ends_with_a_line_break(string fixture, string? expected)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter { NewLine = "\n" };

        int exit = await SseCat.RunAsync(["--text", CliRun.Fixture(fixture)], Stream.Null, stdout, stderr, outputIsTerminal: true, statsStarted: null, CancellationToken.None);

        string text = AnthropicStreams.ReferenceText(File.ReadAllBytes(CliRun.Fixture(fixture)));
        Assert.Equal(0, exit);
        Assert.Equal(expected ?? text + "\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.StartsWith("Tokens: ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_no_second_line_break_when_the_text_ends_with_one()
    {
        string stream = File.ReadAllText(CliRun.Fixture(Fixture)).Replace("\"text\": \"!\"", "\"text\": \"!\\n\"", StringComparison.Ordinal);
        Assert.Contains("\"!\\n\"", stream, StringComparison.Ordinal);
        var stdout = new MemoryStream();

        int exit = await SseCat.RunAsync(["--text"], new MemoryStream(Encoding.UTF8.GetBytes(stream)), stdout, TextWriter.Null, outputIsTerminal: true, statsStarted: null, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Equal("Hello!\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public async Task Raw_json_split_over_data_lines_still_prints_as_one_line()
    {
        // The SSE data lines are joined with LF, which lands inside the citation the library keeps raw.
        string stream = File.ReadAllText(CliRun.Fixture("citations.sse"))
            .Replace("\"document_title\":\"Math Facts\",", "\"document_title\":\"Math Facts\",\ndata:\r\ndata: ", StringComparison.Ordinal);
        Assert.Contains("Math Facts\",\ndata:", stream, StringComparison.Ordinal);

        CliResult result = await CliRun.RunAsync(stream, "--message");

        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(Assert.Single(result.StdoutLines));
        JsonElement citation = doc.RootElement.GetProperty("content")[1].GetProperty("citations")[0];
        Assert.Equal("Math Facts", citation.GetProperty("document_title").GetString());
        Assert.Equal(300, citation.GetProperty("start_char_index").GetInt32());
    }

    [Fact]
    public async Task A_closed_output_pipe_exits_141_in_the_message_modes()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (string mode in new[] { "--text", "--message" })
        {
            var stderr = new StringWriter();
            int exit = await SseCat.RunAsync([mode, CliRun.Fixture(Fixture)], Stream.Null, new EpipeStream(), stderr, CancellationToken.None);

            Assert.Equal(141, exit);
            Assert.Equal("", stderr.ToString());
        }
    }

    /// <summary>An output whose reader has gone: every write fails with EPIPE.</summary>
    private sealed class EpipeStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe", 32);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
