using System.Text;
using System.Text.Json;
using SseCore.Anthropic;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Anthropic.Http;

/// <summary>One content block as the reference fold sees it.</summary>
internal sealed class RefBlock
{
    public RefBlock(int index, string type)
    {
        Index = index;
        Type = type;
    }

    public int Index { get; }

    public string Type { get; }

    /// <summary>text, thinking, partial_json (joined), redacted data or compaction content.</summary>
    public StringBuilder Content { get; } = new();

    public string? Signature { get; set; }

    public string? Id { get; set; }

    public string? Name { get; set; }

    public List<string> Citations { get; } = [];

    public string StartJson { get; set; } = "{}";

    public bool Stopped { get; set; }

    public bool HasCompactionContent { get; set; }

    public string? EncryptedContent { get; set; }
}

/// <summary>
/// The message a stream describes, folded by the simplest code that could work: the SSE framing
/// by the test suite's WHATWG reference parser, the JSON by System.Text.Json's DOM, nothing
/// shared with the library's decoder or accumulator. The expectations of the HTTP tests.
/// </summary>
internal sealed class RefMessage
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    public bool Started { get; set; }

    public bool Complete { get; set; }

    public bool SawError { get; set; }

    public string Id { get; set; } = string.Empty;

    public string Model { get; set; } = string.Empty;

    public SortedDictionary<int, RefBlock> Blocks { get; } = [];

    public string? StopReason { get; set; }

    public int InputTokens { get; set; }

    public int OutputTokens { get; set; }

    public int? CacheCreationInputTokens { get; set; }

    public int? CacheReadInputTokens { get; set; }

    public int? ThinkingTokens { get; set; }

    public int? WebSearchRequests { get; set; }

    /// <summary>Every text_delta's text, in arrival order: what a text stream shows.</summary>
    public StringBuilder DeltaText { get; } = new();

    /// <summary>How many SSE events were folded (pings and unknown events included).</summary>
    public int EventCount { get; set; }

    /// <summary>The SSE events of a byte stream (only those completely contained in it), name and UTF-8 data.</summary>
    public static List<(string Name, string Data)> Frame(byte[] bytes) =>
        WhatwgReference.Parse(bytes).Events.Select(e => (e.Type, Encoding.UTF8.GetString(Latin1.GetBytes(e.Data)))).ToList();

    /// <summary>Folds the events completely contained in <paramref name="bytes"/>.</summary>
    public static RefMessage FoldBytes(byte[] bytes) => Fold(Frame(bytes));

    public static RefMessage Fold(IEnumerable<(string Name, string Data)> events)
    {
        var m = new RefMessage();
        foreach ((string name, string data) in events)
        {
            if (m.SawError)
            {
                break;
            }

            m.EventCount++;
            if (name is not ("message_start" or "content_block_start" or "content_block_delta" or "content_block_stop" or "message_delta" or "message_stop" or "error"))
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(data);
            m.Apply(name, doc.RootElement);
        }

        return m;
    }

    private void Apply(string name, JsonElement root)
    {
        switch (name)
        {
            case "message_start":
                if (!Started)
                {
                    Started = true;
                    JsonElement msg = root.GetProperty("message");
                    Id = msg.GetProperty("id").GetString()!;
                    Model = msg.GetProperty("model").GetString()!;
                    ApplyUsage(msg.GetProperty("usage"));
                }

                break;
            case "content_block_start":
            {
                int index = root.GetProperty("index").GetInt32();
                JsonElement cb = root.GetProperty("content_block");
                var block = new RefBlock(index, cb.GetProperty("type").GetString()!) { StartJson = cb.GetRawText() };
                block.Content.Append(block.Type switch
                {
                    "text" => Str(cb, "text"),
                    "thinking" => Str(cb, "thinking"),
                    "redacted_thinking" => Str(cb, "data"),
                    _ => null,
                });
                block.Signature = Str(cb, "signature");
                block.Id = Str(cb, "id");
                block.Name = Str(cb, "name");
                if (block.Type == "fallback" && cb.TryGetProperty("to", out JsonElement to))
                {
                    Model = Str(to, "model") ?? Model;
                }

                Blocks[index] = block;
                break;
            }

            case "content_block_delta":
            {
                RefBlock block = Blocks[root.GetProperty("index").GetInt32()];
                JsonElement d = root.GetProperty("delta");
                switch (d.GetProperty("type").GetString())
                {
                    case "text_delta":
                        block.Content.Append(Str(d, "text"));
                        DeltaText.Append(Str(d, "text"));
                        break;
                    case "thinking_delta":
                        block.Content.Append(Str(d, "thinking"));
                        break;
                    case "input_json_delta":
                        block.Content.Append(Str(d, "partial_json"));
                        break;
                    case "signature_delta":
                        block.Signature = Str(d, "signature");
                        break;
                    case "citations_delta":
                        block.Citations.Add(d.GetProperty("citation").GetRawText());
                        break;
                    case "compaction_delta":
                        if (Str(d, "content") is { } content)
                        {
                            block.Content.Append(content);
                            block.HasCompactionContent = true;
                        }

                        block.EncryptedContent = Str(d, "encrypted_content") ?? block.EncryptedContent;
                        break;
                }

                break;
            }

            case "content_block_stop":
                Blocks[root.GetProperty("index").GetInt32()].Stopped = true;
                break;
            case "message_delta":
                if (Str(root.GetProperty("delta"), "stop_reason") is { } reason)
                {
                    StopReason = reason;
                }

                if (root.TryGetProperty("usage", out JsonElement usage))
                {
                    ApplyUsage(usage);
                }

                break;
            case "message_stop":
                Complete = true;
                break;
            case "error":
                SawError = true;
                break;
        }
    }

    private void ApplyUsage(JsonElement u)
    {
        InputTokens = Int(u, "input_tokens") ?? InputTokens;
        OutputTokens = Int(u, "output_tokens") ?? OutputTokens;
        CacheCreationInputTokens = Int(u, "cache_creation_input_tokens") ?? CacheCreationInputTokens;
        CacheReadInputTokens = Int(u, "cache_read_input_tokens") ?? CacheReadInputTokens;
        if (u.TryGetProperty("output_tokens_details", out JsonElement otd) && otd.ValueKind == JsonValueKind.Object)
        {
            ThinkingTokens = Int(otd, "thinking_tokens") ?? ThinkingTokens;
        }

        if (u.TryGetProperty("server_tool_use", out JsonElement stu) && stu.ValueKind == JsonValueKind.Object)
        {
            WebSearchRequests = Int(stu, "web_search_requests") ?? WebSearchRequests;
        }
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement o, string name) =>
        o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
}

/// <summary>Asserts that a library <see cref="Message"/> is exactly the reference fold.</summary>
internal static class RefAssert
{
    private static readonly string[] ToolTypes = ["tool_use", "server_tool_use", "mcp_tool_use"];

    public static void Matches(RefMessage expected, Message? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Model, actual.Model);
        Assert.Equal(expected.StopReason, actual.StopReason?.Value);
        Assert.Equal(expected.InputTokens, actual.Usage.InputTokens);
        Assert.Equal(expected.OutputTokens, actual.Usage.OutputTokens);
        Assert.Equal(expected.CacheCreationInputTokens, actual.Usage.CacheCreationInputTokens);
        Assert.Equal(expected.CacheReadInputTokens, actual.Usage.CacheReadInputTokens);
        Assert.Equal(expected.ThinkingTokens, actual.Usage.ThinkingTokens);
        Assert.Equal(expected.WebSearchRequests, actual.Usage.WebSearchRequests);
        Assert.Equal(expected.Blocks.Keys, actual.Content.Select(b => b.Index));

        var text = new StringBuilder();
        foreach (ContentBlock block in actual.Content)
        {
            RefBlock e = expected.Blocks[block.Index];
            Assert.Equal(e.Type, block.Type.Value);
            Assert.Equal(e.Stopped, block.IsComplete);
            string content = e.Content.ToString();
            switch (block)
            {
                case TextBlock t:
                    Assert.Equal(content, t.Text);
                    Assert.Equal(e.Citations.Count, t.Citations.Count);
                    for (int i = 0; i < e.Citations.Count; i++)
                    {
                        AssertJsonEqual(e.Citations[i], t.Citations[i].Json);
                    }

                    text.Append(content);
                    break;
                case ThinkingBlock th:
                    Assert.Equal(content, th.Thinking);
                    Assert.Equal(e.Signature ?? string.Empty, th.Signature);
                    break;
                case ToolUseBlock tool:
                    Assert.Contains(e.Type, ToolTypes);
                    Assert.Equal(e.Id, tool.Id);
                    Assert.Equal(e.Name, tool.Name);
                    Assert.Equal(content, tool.InputJson);
                    AssertToolInput(content, tool.Input);
                    break;
                case RedactedThinkingBlock r:
                    Assert.Equal(content, r.Data);
                    break;
                case CompactionBlock c:
                    Assert.Equal(e.HasCompactionContent ? content : null, c.Content);
                    Assert.Equal(e.EncryptedContent, c.EncryptedContent);
                    break;
                case RawContentBlock raw:
                    AssertJsonEqual(e.StartJson, raw.Json);
                    break;
                default:
                    Assert.Fail($"unexpected block {block.GetType().Name}");
                    break;
            }
        }

        Assert.Equal(text.ToString(), actual.GetText());
    }

    /// <summary>The input as the reference reads it: <c>{}</c> when blank, the parsed value, or null when it does not parse.</summary>
    public static void AssertToolInput(string json, JsonElement? actual)
    {
        string effective = string.IsNullOrWhiteSpace(json) ? "{}" : json;
        JsonDocument? doc = null;
        try
        {
            doc = JsonDocument.Parse(effective);
        }
        catch (JsonException)
        {
        }

        using (doc)
        {
            if (doc is null)
            {
                Assert.Null(actual);
            }
            else
            {
                Assert.NotNull(actual);
                Assert.True(JsonElement.DeepEquals(doc.RootElement, actual.Value), $"tool input {actual.Value.GetRawText()} != {effective}");
            }
        }
    }

    public static void AssertJsonEqual(string expected, string actual)
    {
        using JsonDocument e = JsonDocument.Parse(expected);
        using JsonDocument a = JsonDocument.Parse(actual);
        Assert.True(JsonElement.DeepEquals(e.RootElement, a.RootElement), $"{actual} != {expected}");
    }
}
