using System.Diagnostics;
using System.IO.Pipelines;
using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary>
/// Each event reaches the output as soon as its blank line has been read, before any more input
/// exists: first in process over pipes, then through a real ssecat process and OS pipes.
/// </summary>
public class StreamingTests
{
    // Generous: a loaded 2-core CI machine may take seconds to start a process; a pass takes milliseconds.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static TheoryData<string, string> BlankLines() => new()
    {
        { "lf", "\n\n" },
        { "lone cr", "\r\r" },
        { "crlf", "\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(BlankLines))]
    public async Task In_process_an_event_is_printed_before_more_input_arrives(string name, string blankLine)
    {
        _ = name;
        var input = new Pipe();
        var output = new Pipe();
        Task<int> run = SseCat.RunAsync(["--jsonl"], input.Reader.AsStream(), output.Writer.AsStream(), TextWriter.Null, CancellationToken.None);
        using var lines = new StreamReader(output.Reader.AsStream(), Encoding.UTF8);

        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes("id: 1\nevent: first\ndata: one" + blankLine));
        Assert.Equal("{\"type\":\"first\",\"data\":\"one\",\"id\":\"1\"}", await ReadLineAsync(lines));
        Assert.False(run.IsCompleted);

        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes("retry: 5\ndata: two" + blankLine));
        Assert.Equal("{\"type\":\"message\",\"data\":\"two\",\"id\":\"1\"}", await ReadLineAsync(lines));

        await input.Writer.CompleteAsync();
        Assert.Equal(0, await run.WaitAsync(Timeout));
        Assert.Equal("{\"end\":true,\"lastEventId\":\"1\",\"retry\":5}", await ReadLineAsync(lines));
    }

    [Theory]
    [InlineData("lf", "\n\n")]
    [InlineData("lone cr", "\r\r")]
    public async Task A_real_ssecat_process_prints_an_event_before_more_input_arrives(string name, string blankLine)
    {
        _ = name;
        using Process process = StartSsecat("--jsonl", "-");
        try
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Stream stdin = process.StandardInput.BaseStream;

            await stdin.WriteAsync(Encoding.UTF8.GetBytes(": hello\nid: 1\nevent: first\ndata: one" + blankLine));
            await stdin.FlushAsync();
            Assert.Equal("{\"type\":\"first\",\"data\":\"one\",\"id\":\"1\"}", await ReadLineAsync(process.StandardOutput));

            // Only now does more input exist.
            await stdin.WriteAsync(Encoding.UTF8.GetBytes("retry: 3000\ndata: caf\u00E9" + blankLine + "data: unterminated"));
            await stdin.FlushAsync();
            Assert.Equal("{\"type\":\"message\",\"data\":\"caf\u00E9\",\"id\":\"1\"}", await ReadLineAsync(process.StandardOutput));

            process.StandardInput.Close();
            Assert.Equal("{\"end\":true,\"lastEventId\":\"1\",\"retry\":3000}", await ReadLineAsync(process.StandardOutput));
            Assert.Null(await ReadLineAsync(process.StandardOutput));
            using var cts = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(cts.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Equal("", await stderr.WaitAsync(Timeout));
        }
        finally
        {
            StopIfRunning(process);
        }
    }

    [Fact]
    public async Task In_process_each_text_delta_is_printed_before_more_input_arrives()
    {
        List<string> events = AnthropicStreams.Events("basic_text.sse");
        int firstDelta = events.FindIndex(e => e.StartsWith("event: content_block_delta\n", StringComparison.Ordinal));
        var input = new Pipe();
        var output = new Pipe();
        var stderr = new StringWriter { NewLine = "\n" };
        Task<int> run = SseCat.RunAsync(["--text"], input.Reader.AsStream(), output.Writer.AsStream(), stderr, CancellationToken.None);
        using var text = new StreamReader(output.Reader.AsStream(), Encoding.UTF8);

        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(events.Take(firstDelta + 1))));
        Assert.Equal("Hello", await ReadTextAsync(text, "Hello".Length));
        Assert.False(run.IsCompleted);

        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes(events[firstDelta + 1]));
        Assert.Equal("!", await ReadTextAsync(text, 1));

        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(events.Skip(firstDelta + 2))));
        await input.Writer.CompleteAsync();
        Assert.Equal(0, await run.WaitAsync(Timeout));
        Assert.Equal("Tokens: 25 in, 15 out\n", stderr.ToString());
    }

    [Fact]
    public async Task A_real_ssecat_process_prints_a_text_delta_before_more_input_arrives()
    {
        // The first text delta carries non-ASCII text: raw UTF-8 bytes, printed as they came.
        List<string> events = AnthropicStreams.Events("basic_text.sse")
            .Select(e => e.Replace("\"text\": \"Hello\"", "\"text\": \"H\u00E9llo \\u00e9\"", StringComparison.Ordinal))
            .ToList();
        int firstDelta = events.FindIndex(e => e.StartsWith("event: content_block_delta\n", StringComparison.Ordinal));
        Assert.Contains("H\u00E9llo", events[firstDelta], StringComparison.Ordinal);

        using Process process = StartSsecat("--text", "-");
        try
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Stream stdin = process.StandardInput.BaseStream;

            await stdin.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(events.Take(firstDelta + 1))));
            await stdin.FlushAsync();
            Assert.Equal("H\u00E9llo \u00E9", await ReadTextAsync(process.StandardOutput, "H\u00E9llo \u00E9".Length));

            // Only now does more input exist.
            await stdin.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(events.Skip(firstDelta + 1))));
            await stdin.FlushAsync();
            process.StandardInput.Close();
            Assert.Equal("!", await process.StandardOutput.ReadToEndAsync().WaitAsync(Timeout));
            using var cts = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(cts.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Equal("Tokens: 25 in, 15 out\n", (await stderr.WaitAsync(Timeout)).ReplaceLineEndings("\n"));
        }
        finally
        {
            StopIfRunning(process);
        }
    }

    [Fact]
    public async Task With_stats_a_real_ssecat_process_still_prints_each_event_as_it_arrives_and_ends_with_the_stats_line()
    {
        using Process process = StartSsecat("--stats", "--events");
        try
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Stream stdin = process.StandardInput.BaseStream;

            await stdin.WriteAsync("event: first\ndata: one\n\n"u8.ToArray());
            await stdin.FlushAsync();
            Assert.Equal("event: first", await ReadLineAsync(process.StandardOutput));
            Assert.Equal("data: one", await ReadLineAsync(process.StandardOutput));

            // Only now does more input exist.
            await stdin.WriteAsync("data: two\n\n"u8.ToArray());
            await stdin.FlushAsync();
            Assert.Equal("", await ReadLineAsync(process.StandardOutput));
            Assert.Equal("event: message", await ReadLineAsync(process.StandardOutput));

            process.StandardInput.Close();
            using var cts = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(cts.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Matches(@"^stats: events=2 bytes=35 elapsed_ms=\d+\.\d{3} events_per_s=\d+\.\d first_event_ms=\d+\.\d{3}\n$", (await stderr.WaitAsync(Timeout)).ReplaceLineEndings("\n"));
        }
        finally
        {
            StopIfRunning(process);
        }
    }

    [Fact]
    public async Task Ctrl_c_with_stats_writes_the_stats_line_and_ends_the_process_at_once()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Reads the signal mask from /proc, sends SIGINT with kill(1).
        }

        // Standard input stays open and empty: a read that cannot be cancelled, which Ctrl+C must not wait for.
        using Process process = StartSsecat("--stats", "--jsonl", "-");
        try
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Stream stdin = process.StandardInput.BaseStream;
            await stdin.WriteAsync("data: one\n\n"u8.ToArray());
            await stdin.FlushAsync();
            Assert.Equal("{\"type\":\"message\",\"data\":\"one\",\"id\":\"\"}", await ReadLineAsync(process.StandardOutput));
            if (!CatchesSigint(process.Id))
            {
                return; // Started with SIGINT ignored (a background job of a non-interactive shell): Ctrl+C cannot reach it.
            }

            using (Process kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var cts = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(cts.Token);
            Assert.NotEqual(0, process.ExitCode); // killed by SIGINT: a shell shows 130
            Assert.Matches(@"^stats: events=1 bytes=11 elapsed_ms=\d+\.\d{3} events_per_s=\d+\.\d first_event_ms=\d+\.\d{3}\n$", (await stderr.WaitAsync(Timeout)).ReplaceLineEndings("\n"));
        }
        finally
        {
            StopIfRunning(process);
        }
    }

    /// <summary>Whether the process has a handler for SIGINT (bit 1 of SigCgt in /proc/PID/status).</summary>
    private static bool CatchesSigint(int pid)
    {
        string? caught = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigCgt:", StringComparison.Ordinal));
        return caught is not null && (ulong.Parse(caught["SigCgt:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & 2) != 0;
    }

    [Fact]
    public async Task A_real_ssecat_process_reports_a_missing_file_and_bad_usage_with_its_exit_codes()
    {
        string missing = Path.Combine(Path.GetTempPath(), "ssecat-tests-" + Guid.NewGuid().ToString("N") + ".sse");
        foreach ((string[] args, int code, string stderrStart) in new[]
        {
            (new[] { missing }, 2, "ssecat: "),
            (new[] { "--bogus" }, 64, "ssecat: unknown option '--bogus'\nUsage: ssecat"),
        })
        {
            using Process process = StartSsecat(args);
            try
            {
                process.StandardInput.Close();
                Task<string> stdout = process.StandardOutput.ReadToEndAsync();
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                using var cts = new CancellationTokenSource(Timeout);
                await process.WaitForExitAsync(cts.Token);

                Assert.Equal(code, process.ExitCode);
                Assert.Equal("", await stdout);
                Assert.StartsWith(stderrStart, (await stderr).ReplaceLineEndings("\n"), StringComparison.Ordinal);
            }
            finally
            {
                StopIfRunning(process);
            }
        }
    }

    [Fact]
    public async Task A_real_ssecat_process_whose_output_reader_went_away_exits_141_quietly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // No SIGPIPE convention there.
        }

        using Process process = StartSsecat("--jsonl");
        try
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.Close(); // like `ssecat | head -0`

            // Without the EPIPE check ssecat would go on reading (and discarding) a live stream.
            Stream stdin = process.StandardInput.BaseStream;
            await stdin.WriteAsync("data: x\n\n"u8.ToArray());
            await stdin.FlushAsync();
            using var cts = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(cts.Token);

            Assert.Equal(141, process.ExitCode);
            Assert.Equal("", await stderr.WaitAsync(Timeout));
        }
        finally
        {
            StopIfRunning(process);
        }
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader)
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            return await reader.ReadLineAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"no output line within {Timeout.TotalSeconds} s: the event was held back");
            throw;
        }
    }

    /// <summary>Reads exactly <paramref name="length"/> chars, failing if they do not come within the timeout.</summary>
    private static async Task<string> ReadTextAsync(StreamReader reader, int length)
    {
        var buffer = new char[length];
        int read = 0;
        while (read < length)
        {
            int n;
            try
            {
                n = await reader.ReadAsync(buffer.AsMemory(read)).AsTask().WaitAsync(Timeout);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"no text within {Timeout.TotalSeconds} s after '{new string(buffer, 0, read)}': the delta was held back");
                throw;
            }

            Assert.True(n > 0, $"the output ended after '{new string(buffer, 0, read)}'");
            read += n;
        }

        return new string(buffer);
    }

    /// <summary>Starts the ssecat.dll built next to this test assembly (the ProjectReference copies it here).</summary>
    private static Process StartSsecat(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "ssecat.dll");
        Assert.True(File.Exists(dll), "ssecat.dll is not next to the tests: " + dll);

        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(info) ?? throw new InvalidOperationException("could not start " + info.FileName);
    }

    /// <summary>The dotnet host running these tests (set by the dotnet CLI), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return "dotnet";
    }

    private static void StopIfRunning(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
