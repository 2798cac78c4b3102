using System.Text;
using System.Text.Json;
using SseCore.Anthropic;

namespace SseCore.Tests.ToolInput;

/// <summary>The README's "Tool input as it streams" example, compiled and run.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public async Task ReadmeExample_ShowsFieldsAndTheDraft_ThenTheSnapshot()
    {
        string stream = AccumulatorToolInputTests.ToolStream(
            ["{\\\"path\\\": \\\"notes.md\\\", \\\"con", "tent\\\": \\\"# Title\\\\n", "first li"],
            stop: false);
        using Stream body = new MemoryStream(Encoding.UTF8.GetBytes(stream));
        var form = new Dictionary<string, string>();
        var drafts = new List<string>();
        CancellationToken ct = CancellationToken.None;

        await using SseReader reader = SseReader.Create(body);
        var decoder = new AnthropicEventDecoder();
        using var accumulator = new MessageAccumulator();
        int shown = 0;
        while (await reader.MoveNextAsync(ct))
        {
            AnthropicEvent e = decoder.Decode(reader.Current);
            accumulator.Apply(in e);
            if (e.Kind != AnthropicEventKind.ContentBlockDelta || e.Delta.Kind != DeltaKind.InputJson
                || accumulator.GetToolInput(e.Delta.Index) is not { } input)
            {
                continue;
            }

            for (; shown < input.PropertyCount; shown++)
            {
                ToolInputProperty p = input.GetProperty(shown);
                form[p.Name.GetString()!] = Encoding.UTF8.GetString(p.ValueJson);
            }

            if (input.HasCurrentProperty && input.CurrentProperty.Name.ValueEquals("content"u8))
            {
                drafts.Add(Encoding.UTF8.GetString(input.CurrentText));
            }
        }

        var tool = (ToolUseBlock)accumulator.GetMessage().Content[^1];
        JsonElement? args = tool.IsInputTruncated ? tool.InputSnapshot : tool.Input;

        Assert.Equal("\"notes.md\"", form["path"]);
        Assert.Equal(["# Title\n", "# Title\nfirst li"], drafts);
        Assert.Equal("# Title\nfirst li", args!.Value.GetProperty("content").GetString());
    }
}
