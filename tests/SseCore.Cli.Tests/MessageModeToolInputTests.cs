using System.Text.Json;
using SseCore.Cli.Tests.Infrastructure;

namespace SseCore.Cli.Tests;

/// <summary><c>--message</c> on tool input cut short: the snapshot, marked <c>"truncated": true</c>.</summary>
public class MessageModeToolInputTests
{
    private const string Head =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"write_file\",\"input\":{}}}\n\n";

    private static string Delta(string partialJson) =>
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"" + partialJson + "\"}}\n\n";

    [Fact]
    public async Task A_stream_broken_inside_a_tool_input_prints_its_snapshot_marked_truncated()
    {
        string stream = Head + Delta("{\\\"path\\\": \\\"a.txt\\\", \\\"size\\\": 12") + Delta("3, \\\"body\\\": \\\"line 1\\\\nli");

        CliResult result = await CliRun.RunAsync(stream, "--message");

        Assert.Equal(4, result.ExitCode);
        using var doc = JsonDocument.Parse(Assert.Single(result.StdoutLines));
        JsonElement tool = doc.RootElement.GetProperty("content")[0];
        Assert.Equal("""{"path":"a.txt","size":123,"body":"line 1\nli"}""", JsonSerializer.Serialize(tool.GetProperty("input")));
        Assert.True(tool.GetProperty("truncated").GetBoolean());
        Assert.Equal("{\"path\": \"a.txt\", \"size\": 123, \"body\": \"line 1\\nli", tool.GetProperty("partial_input_json").GetString());
    }

    [Fact]
    public async Task A_whole_tool_input_has_no_marker_and_malformed_input_is_kept_raw_without_one()
    {
        string whole = Head + Delta("{\\\"path\\\": \\\"a.txt\\\"}") + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        string malformed = Head + Delta("{\\\"path\\\" \\\"a.txt\\\"}") + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";

        CliResult ok = await CliRun.RunAsync(whole, "--message");
        CliResult bad = await CliRun.RunAsync(malformed, "--message");

        using var okDoc = JsonDocument.Parse(Assert.Single(ok.StdoutLines));
        JsonElement okTool = okDoc.RootElement.GetProperty("content")[0];
        Assert.Equal("""{"path":"a.txt"}""", JsonSerializer.Serialize(okTool.GetProperty("input")));
        Assert.False(okTool.TryGetProperty("truncated", out _));
        Assert.False(okTool.TryGetProperty("partial_input_json", out _));

        using var badDoc = JsonDocument.Parse(Assert.Single(bad.StdoutLines));
        JsonElement badTool = badDoc.RootElement.GetProperty("content")[0];
        Assert.Equal("{}", JsonSerializer.Serialize(badTool.GetProperty("input")));
        Assert.False(badTool.TryGetProperty("truncated", out _));
        Assert.Equal("{\"path\" \"a.txt\"}", badTool.GetProperty("partial_input_json").GetString());
    }
}
