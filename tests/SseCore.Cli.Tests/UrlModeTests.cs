using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SseCore.Cli.Tests.Infrastructure;
using SseCore.Tests.Shared;

namespace SseCore.Cli.Tests;

/// <summary>
/// <c>ssecat URL</c> against the shared loopback Kestrel server, over real sockets: the request
/// (-H, -d), the Messages modes and their failures, and plain SSE over HTTP.
/// </summary>
public sealed class UrlModeTests : IDisposable
{
    private const string Fixture = "tool_use_recorded.sse";
    private const string OverloadedBody = """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_529"}""";

    private readonly string _bodyFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ssecat-req-" + Guid.NewGuid().ToString("N") + ".json");

    // A request body as a user would write it: several lines, non-ASCII, no trailing newline.
    private readonly byte[] _requestBody = Encoding.UTF8.GetBytes("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,\n \"messages\":[{\"role\":\"user\",\"content\":\"Caf\u00E9?\"}]}");

    public UrlModeTests() => File.WriteAllBytes(_bodyFile, _requestBody);

    public void Dispose() => File.Delete(_bodyFile);

    private static byte[] FixtureBytes => File.ReadAllBytes(CliRun.Fixture(Fixture));

    [Fact]
    public async Task Text_posts_the_body_file_with_the_headers_and_prints_the_text_deltas()
    {
        byte[] stream = FixtureBytes;
        (LoopbackSseServer server, RecordedRequest request) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, stream, seed: 3));
        await using (server)
        {
            CliResult result = await CliRun.RunAsync([], "--text", Url(server, "v1/messages"), "-H", "x-api-key: sk-test-123", "-H", "anthropic-version:2023-06-01", "-d", "@" + _bodyFile);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(AnthropicStreams.ReferenceText(stream), result.StdoutText);
            Assert.Equal("Tokens: 394 in, 79 out\n", result.Stderr);

            Assert.Equal("POST", request.Method);
            Assert.Equal("/v1/messages", request.Path);
            Assert.Equal(_requestBody, request.Body);
            Assert.Equal("sk-test-123", request.Headers["x-api-key"]);
            Assert.Equal("2023-06-01", request.Headers["anthropic-version"]);
            Assert.Equal("application/json", request.Headers["Content-Type"]);
            Assert.Equal(_requestBody.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), request.Headers["Content-Length"]);
            Assert.Equal("text/event-stream", request.Headers["Accept"]);
        }
    }

    [Fact]
    public async Task Message_posts_the_body_file_and_prints_the_same_message_as_from_the_file()
    {
        byte[] stream = FixtureBytes;
        (LoopbackSseServer server, RecordedRequest request) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, stream, seed: 4));
        await using (server)
        {
            CliResult result = await CliRun.RunAsync([], "--message", "-H", "x-api-key: sk-test-123", "--data", "@" + _bodyFile, Url(server, "v1/messages"));
            CliResult fromFile = await CliRun.RunAsync([], "--message", CliRun.Fixture(Fixture));

            Assert.Equal(0, result.ExitCode);
            Assert.Equal("", result.Stderr);
            Assert.Equal(fromFile.StdoutText, result.StdoutText);
            Assert.Equal("POST", request.Method);
            Assert.Equal(_requestBody, request.Body);
            Assert.Equal("sk-test-123", request.Headers["x-api-key"]);
        }
    }

    [Fact]
    public async Task A_literal_body_is_posted_as_utf8_and_a_content_type_header_replaces_the_default()
    {
        (LoopbackSseServer server, RecordedRequest request) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, FixtureBytes, seed: 5, maxDelayMs: 0));
        await using (server)
        {
            CliResult result = await CliRun.RunAsync([], "--message", Url(server, "v1/messages"), "-d", "{\"q\":\"\u00E9\"}", "-H", "Content-Type: application/json; charset=utf-8", "-H", "Accept: */*");

            Assert.Equal(0, result.ExitCode);
            Assert.Equal("POST", request.Method);
            Assert.Equal(Encoding.UTF8.GetBytes("{\"q\":\"\u00E9\"}"), request.Body);
            Assert.Equal("application/json; charset=utf-8", request.Headers["Content-Type"]);
            Assert.Equal("*/*", request.Headers["Accept"]);
        }
    }

    [Fact]
    public async Task Chunks_of_odd_sizes_with_delays_give_the_same_output_as_the_file()
    {
        // Chunks of 1 to 23 bytes (cutting UTF-8 sequences, lines and events anywhere), each flushed, with pauses of 0-1 ms.
        byte[] stream = File.ReadAllBytes(CliRun.Fixture("web_search_server_tool_use.sse"));
        (LoopbackSseServer server, _) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, stream, seed: 11, minChunk: 1, maxChunk: 23, maxDelayMs: 1));
        await using (server)
        {
            CliResult text = await CliRun.RunAsync([], "--text", Url(server, "a"));
            CliResult message = await CliRun.RunAsync([], "--message", Url(server, "b"));
            CliResult jsonl = await CliRun.RunAsync([], "--jsonl", Url(server, "c"));

            Assert.Equal(AnthropicStreams.ReferenceText(stream), text.StdoutText);
            Assert.Equal("Tokens: 10682 in, 510 out\n", text.Stderr);
            Assert.Equal((await CliRun.RunAsync(stream, "--message")).StdoutText, message.StdoutText);
            Assert.Equal((await CliRun.RunAsync(stream, "--jsonl")).StdoutText, jsonl.StdoutText);
            Assert.Equal([0, 0, 0], new[] { text.ExitCode, message.ExitCode, jsonl.ExitCode });
        }
    }

    [Fact]
    public async Task An_error_event_mid_stream_exits_3_with_the_partial_message_and_the_error_line()
    {
        byte[] stream = Encoding.UTF8.GetBytes(AnthropicStreams.InsertAfterDeltas(Fixture, 4, AnthropicStreams.OverloadedErrorEvent));
        string textBefore = string.Concat(AnthropicStreams.ReferenceTextDeltas(stream).Take(4));
        Assert.Equal("I'd be happy to check", textBefore);
        (LoopbackSseServer server, _) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, stream, seed: 6));
        await using (server)
        {
            CliResult message = await CliRun.RunAsync([], "--message", Url(server, "v1/messages"), "-d", "{}");
            CliResult text = await CliRun.RunAsync([], "--text", Url(server, "v1/messages"), "-d", "{}");

            Assert.Equal(3, message.ExitCode);
            Assert.Equal("error: overloaded_error: Overloaded\n", message.Stderr);
            using var doc = JsonDocument.Parse(Assert.Single(message.StdoutLines));
            JsonElement partial = doc.RootElement;
            Assert.Equal("msg_01P7nF1bmxyzFZjF8zwbUDBM", partial.GetProperty("id").GetString());
            Assert.Equal(textBefore, Assert.Single(partial.GetProperty("content").EnumerateArray()).GetProperty("text").GetString());
            Assert.Equal(JsonValueKind.Null, partial.GetProperty("stop_reason").ValueKind);

            Assert.Equal(3, text.ExitCode);
            Assert.Equal(textBefore, text.StdoutText);
            Assert.Equal("error: overloaded_error: Overloaded\n", text.Stderr); // no Tokens line: the message is not complete
        }
    }

    [Fact]
    public async Task An_error_event_first_exits_3_with_nothing_on_stdout()
    {
        byte[] stream = Encoding.UTF8.GetBytes(AnthropicStreams.OverloadedErrorEvent);
        (LoopbackSseServer server, _) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, stream, seed: 7));
        await using (server)
        {
            foreach (string mode in new[] { "--message", "--text" })
            {
                CliResult result = await CliRun.RunAsync([], mode, Url(server, "v1/messages"), "-d", "{}");

                Assert.Equal(3, result.ExitCode);
                Assert.Empty(result.Stdout);
                Assert.Equal("error: overloaded_error: Overloaded\n", result.Stderr);
            }
        }
    }

    [Fact]
    public async Task An_http_529_with_an_error_body_exits_3_with_the_api_error()
    {
        (LoopbackSseServer server, _) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeErrorAsync(ctx, 529, OverloadedBody));
        await using (server)
        {
            foreach (string mode in new[] { "--message", "--text" })
            {
                CliResult result = await CliRun.RunAsync([], mode, Url(server, "v1/messages"), "-d", "{}");

                Assert.Equal(3, result.ExitCode);
                Assert.Empty(result.Stdout);
                Assert.Equal("error: overloaded_error: Overloaded\n", result.Stderr);
            }
        }
    }

    [Fact]
    public async Task An_error_status_in_the_sse_modes_exits_2_with_the_status_and_the_start_of_the_body()
    {
        (LoopbackSseServer server, _) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeErrorAsync(ctx, 529, OverloadedBody));
        await using (server)
        {
            foreach (string[] mode in new[] { new[] { "--jsonl" }, Array.Empty<string>() })
            {
                string url = Url(server, "events");
                CliResult result = await CliRun.RunAsync([], [.. mode, url]);

                Assert.Equal(2, result.ExitCode);
                Assert.Empty(result.Stdout);
                Assert.Equal($"ssecat: {url}: HTTP 529: {OverloadedBody}\n", result.Stderr);
            }
        }
    }

    [Fact]
    public async Task A_success_that_is_not_an_event_stream_exits_2_in_the_message_modes()
    {
        (LoopbackSseServer server, _) = await RecordedRequest.StartServerAsync(async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("""{"id":"msg_1","type":"message"}""");
        });
        await using (server)
        {
            CliResult result = await CliRun.RunAsync([], "--message", Url(server, "v1/messages"), "-d", "{}");

            Assert.Equal(2, result.ExitCode);
            Assert.Empty(result.Stdout);
            Assert.StartsWith("ssecat: Expected a text/event-stream response, got 'application/json'", result.Stderr, StringComparison.Ordinal);
            Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        }
    }

    [Fact]
    public async Task A_stream_cut_after_message_delta_exits_4_with_the_partial_message()
    {
        byte[] stream = Encoding.UTF8.GetBytes(AnthropicStreams.UpToAndIncluding(Fixture, "message_delta"));
        (LoopbackSseServer server, _) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, stream, seed: 8));
        await using (server)
        {
            CliResult message = await CliRun.RunAsync([], "--message", Url(server, "v1/messages"), "-d", "{}");
            CliResult text = await CliRun.RunAsync([], "--text", Url(server, "v1/messages"), "-d", "{}");

            const string Truncated = "ssecat: the stream ended before message_stop: the message is incomplete\n";
            Assert.Equal(4, message.ExitCode);
            Assert.Equal(Truncated, message.Stderr);
            using var doc = JsonDocument.Parse(Assert.Single(message.StdoutLines));
            JsonElement partial = doc.RootElement;
            Assert.Equal("tool_use", partial.GetProperty("stop_reason").GetString());
            Assert.Equal(79, partial.GetProperty("usage").GetProperty("output_tokens").GetInt32());
            Assert.Equal("San Francisco", partial.GetProperty("content")[1].GetProperty("input").GetProperty("city").GetString());

            Assert.Equal(4, text.ExitCode);
            Assert.Equal(AnthropicStreams.ReferenceText(stream), text.StdoutText);
            Assert.Equal(Truncated, text.Stderr);
        }
    }

    [Fact]
    public async Task A_connection_aborted_mid_line_exits_2_with_the_partial_message()
    {
        byte[] stream = FixtureBytes;
        string text = Encoding.UTF8.GetString(stream);
        int line = text.IndexOf("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" the weather\"}", StringComparison.Ordinal);
        int abortAfter = line + 30; // inside the data line of the fifth text delta
        Assert.True(line > 0);
        (LoopbackSseServer server, _) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, stream, seed: 9, abortAfter: abortAfter));
        await using (server)
        {
            CliResult message = await CliRun.RunAsync([], "--message", Url(server, "v1/messages"), "-d", "{}");
            CliResult textRun = await CliRun.RunAsync([], "--text", Url(server, "v1/messages"), "-d", "{}");
            CliResult jsonl = await CliRun.RunAsync([], "--jsonl", Url(server, "events"));

            Assert.Equal(2, message.ExitCode);
            Assert.StartsWith("ssecat: The message stream broke after ", message.Stderr, StringComparison.Ordinal);
            Assert.Single(message.Stderr.TrimEnd('\n').Split('\n'));
            using var doc = JsonDocument.Parse(Assert.Single(message.StdoutLines));
            Assert.Equal("I'd be happy to check", doc.RootElement.GetProperty("content")[0].GetProperty("text").GetString());

            Assert.Equal(2, textRun.ExitCode);
            Assert.Equal("I'd be happy to check", textRun.StdoutText);
            Assert.StartsWith("ssecat: The message stream broke after ", textRun.Stderr, StringComparison.Ordinal);

            Assert.Equal(2, jsonl.ExitCode);
            Assert.StartsWith("ssecat: ", jsonl.Stderr, StringComparison.Ordinal);
            Assert.Equal(7, jsonl.StdoutLines.Length); // the events before the cut (4 deltas, a ping), no end line
            Assert.DoesNotContain("\"end\":true", jsonl.StdoutText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Plain_sse_over_a_get_request_in_the_jsonl_and_human_modes()
    {
        byte[] stream = File.ReadAllBytes(CliRun.Fixture("sse_edge_cases.sse"));
        (LoopbackSseServer server, RecordedRequest request) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, stream, seed: 2, maxChunk: 5, maxDelayMs: 0));
        await using (server)
        {
            CliResult jsonl = await CliRun.RunAsync([], "--jsonl", Url(server, "events?x=1"), "-H", "Last-Event-ID: 41");
            CliResult human = await CliRun.RunAsync([], Url(server, "events"));

            Assert.Equal(0, jsonl.ExitCode);
            Assert.Equal((await CliRun.RunAsync(stream, "--jsonl")).StdoutText, jsonl.StdoutText);
            Assert.Equal(0, human.ExitCode);
            Assert.Equal((await CliRun.RunAsync(stream)).StdoutText, human.StdoutText);
            Assert.Equal("GET", request.Method);
            Assert.Empty(request.Body);
            Assert.Equal("text/event-stream", request.Headers["Accept"]);
            Assert.False(request.Headers.ContainsKey("Content-Type"));
        }
    }

    [Fact]
    public async Task The_body_can_come_from_stdin()
    {
        (LoopbackSseServer server, RecordedRequest request) = await RecordedRequest.StartServerAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, FixtureBytes, seed: 1, maxDelayMs: 0));
        await using (server)
        {
            CliResult result = await CliRun.RunAsync(_requestBody, "--text", Url(server, "v1/messages"), "-d", "@-");

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(_requestBody, request.Body);
        }
    }

    [Fact]
    public async Task A_missing_body_file_exits_2_before_any_request()
    {
        string missing = _bodyFile + ".missing";
        CliResult result = await CliRun.RunAsync([], "--text", "http://127.0.0.1:9/never", "-d", "@" + missing);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("ssecat: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(missing, result.Stderr, StringComparison.Ordinal);
    }

    private static string Url(LoopbackSseServer server, string path) => new Uri(server.BaseAddress, path).ToString();
}
