using System.IO.Pipelines;
using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary>Exit codes and the one-line messages on stderr.</summary>
public class ExitCodeTests
{
    [Fact]
    public async Task A_missing_file_exits_2_with_one_line_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), "ssecat-tests-" + Guid.NewGuid().ToString("N"), "missing.sse");

        CliResult result = await CliRun.RunAsync([], "--jsonl", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.StartsWith("ssecat: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(path, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_directory_exits_2()
    {
        CliResult result = await CliRun.RunAsync([], Path.GetTempPath());

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("ssecat: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_nobody_listens_on_exits_2_with_one_line_naming_it()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // now the port refuses connections
        string url = $"http://127.0.0.1:{port}/stream";

        CliResult result = await CliRun.RunAsync([], "--jsonl", url);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.StartsWith($"ssecat: {url}: ", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task A_line_over_the_limit_exits_2_with_its_offset_after_printing_the_events_before_it(int chunk)
    {
        byte[] input = Encoding.ASCII.GetBytes("data: ok\n\ndata: 0123456789abcdefghij\n\ndata: after\n\n");

        CliResult result = await CliRun.RunAsync(new TrickleStream(input, chunk), "--jsonl", "--max-line-length", "16");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("{\"type\":\"message\",\"data\":\"ok\",\"id\":\"\"}\n", result.StdoutText); // no end line
        Assert.Equal("ssecat: The event stream has a line longer than the limit of 16 bytes (MaxLineLength) at byte offset 26.\n", result.Stderr);
    }

    [Fact]
    public async Task An_event_over_the_size_limit_exits_2_with_its_offset()
    {
        CliResult result = await CliRun.RunAsync("data: 12345\ndata: 678\n\n", "--max-event-size=8");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Equal("ssecat: The event stream has an event whose data is larger than the limit of 8 bytes (MaxEventSize) at byte offset 20.\n", result.Stderr);
    }

    [Fact]
    public async Task A_read_error_exits_2_after_the_events_before_it()
    {
        var stdin = new TrickleStream(Encoding.ASCII.GetBytes("data: first\n\ndata: cut"), int.MaxValue, new IOException("Input/output error"));

        CliResult result = await CliRun.RunAsync(stdin, "--jsonl");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("{\"type\":\"message\",\"data\":\"first\",\"id\":\"\"}\n", result.StdoutText);
        Assert.Equal("ssecat: Input/output error\n", result.Stderr);
    }

    [Fact]
    public async Task An_output_error_exits_2_and_says_it_was_the_output()
    {
        var stderr = new StringWriter { NewLine = "\n" };

        int exit = await SseCat.RunAsync(["--jsonl"], new MemoryStream("data: x\n\n"u8.ToArray()), new BrokenOutputStream(new IOException("No space left on device")), stderr, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Equal("ssecat: cannot write the output: No space left on device\n", stderr.ToString());
    }

    [Fact]
    public async Task A_closed_output_pipe_exits_141_without_a_message()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // EPIPE is a Unix errno.
        }

        var stderr = new StringWriter { NewLine = "\n" };
        var epipe = new IOException("Broken pipe", 32); // how the runtime reports errno EPIPE

        int exit = await SseCat.RunAsync(["--jsonl"], new MemoryStream("data: x\n\n"u8.ToArray()), new BrokenOutputStream(epipe), stderr, CancellationToken.None);

        Assert.Equal(141, exit);
        Assert.Equal("", stderr.ToString());
    }

    [Theory]
    [InlineData("--bogus", "unknown option '--bogus'")]
    [InlineData("--max-line-length", "option '--max-line-length' needs a value")]
    public async Task Bad_usage_exits_64_with_the_reason_and_the_usage_on_stderr(string arg, string reason)
    {
        CliResult result = await CliRun.RunAsync("data: x\n\n", arg);

        Assert.Equal(64, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Equal("ssecat: " + reason + "\n" + CliOptions.Usage, result.Stderr);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_on_stdout_and_exits_0(string arg)
    {
        CliResult result = await CliRun.RunAsync("data: not read\n\n", "--jsonl", arg);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(CliOptions.Usage, result.StdoutText);
        Assert.StartsWith("Usage: ssecat [OPTIONS] [FILE | - | URL]\n", result.StdoutText, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Cancellation_while_waiting_for_input_exits_130()
    {
        var input = new Pipe();
        using var cts = new CancellationTokenSource();
        var stdout = new MemoryStream();

        Task<int> run = SseCat.RunAsync(["--jsonl"], input.Reader.AsStream(), stdout, TextWriter.Null, cts.Token);
        await cts.CancelAsync();

        Assert.Equal(130, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Empty(stdout.ToArray());
    }

    /// <summary>An output that fails every write.</summary>
    private sealed class BrokenOutputStream(IOException error) : Stream
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

        public override void Write(byte[] buffer, int offset, int count) => throw error;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
