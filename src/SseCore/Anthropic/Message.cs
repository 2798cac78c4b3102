using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace SseCore.Anthropic;

/// <summary>
/// A Messages API message as accumulated from a stream: an ordinary object model that owns its
/// data and serializes back to the Anthropic JSON shape (<see cref="WriteTo"/>, <see cref="ToJson"/>).
/// </summary>
public sealed class Message
{
    /// <summary><c>id</c>.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary><c>role</c> (<c>assistant</c>).</summary>
    public string Role { get; set; } = "assistant";

    /// <summary><c>model</c> (for a beta fallback, the model that answered).</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary><c>content</c>, in index order.</summary>
    public List<ContentBlock> Content { get; } = [];

    /// <summary><c>stop_reason</c>; null until <c>message_delta</c> sets it.</summary>
    public StopReason? StopReason { get; set; }

    /// <summary><c>stop_sequence</c>: the custom stop sequence that was generated, if any.</summary>
    public string? StopSequence { get; set; }

    /// <summary><c>stop_details</c> (refusals), if any.</summary>
    public StopDetails? StopDetails { get; set; }

    /// <summary><c>container</c> (code execution) as raw JSON, if any.</summary>
    public string? ContainerJson { get; set; }

    /// <summary><c>usage</c>: the latest cumulative values.</summary>
    public Usage Usage { get; set; } = new();

    /// <summary>The text of all text blocks, in order, joined without separator.</summary>
    /// <returns>The text.</returns>
    public string GetText()
    {
        var sb = new StringBuilder();
        foreach (ContentBlock block in Content)
        {
            if (block is TextBlock text)
            {
                sb.Append(text.Text);
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes the message as the Messages API's JSON object.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("type", "message");
        writer.WriteString("role", Role);
        writer.WriteString("model", Model);
        writer.WriteStartArray("content");
        foreach (ContentBlock block in Content)
        {
            block.WriteTo(writer);
        }

        writer.WriteEndArray();
        ModelJson.WriteStringOrNull(writer, "stop_reason", StopReason?.Value);
        ModelJson.WriteStringOrNull(writer, "stop_sequence", StopSequence);

        ModelJson.WriteRawIfPresent(writer, "stop_details", StopDetails?.Json);

        ModelJson.WriteRawIfPresent(writer, "container", ContainerJson);

        writer.WritePropertyName("usage");
        Usage.WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <summary>The message as the Messages API's JSON.</summary>
    /// <param name="indented">Whether to indent.</param>
    /// <returns>The JSON text.</returns>
    public string ToJson(bool indented = false)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary><c>stop_details</c>: why a refusal happened.</summary>
public sealed class StopDetails
{
    /// <summary>Creates the details.</summary>
    /// <param name="json">The raw JSON object.</param>
    public StopDetails(string json) => Json = json;

    /// <summary><c>type</c> (<c>refusal</c>).</summary>
    public string? Type { get; set; }

    /// <summary><c>category</c> (cyber, bio, ...), if given.</summary>
    public string? Category { get; set; }

    /// <summary><c>explanation</c>, if given.</summary>
    public string? Explanation { get; set; }

    /// <summary>The whole object as raw JSON (beta fields included).</summary>
    public string Json { get; }
}

/// <summary>Token usage. Counts the wire omitted are null.</summary>
public sealed class Usage
{
    /// <summary><c>input_tokens</c>.</summary>
    public int InputTokens { get; set; }

    /// <summary><c>output_tokens</c> (cumulative).</summary>
    public int OutputTokens { get; set; }

    /// <summary><c>cache_creation_input_tokens</c>.</summary>
    public int? CacheCreationInputTokens { get; set; }

    /// <summary><c>cache_read_input_tokens</c>.</summary>
    public int? CacheReadInputTokens { get; set; }

    /// <summary><c>cache_creation.ephemeral_5m_input_tokens</c>.</summary>
    public int? CacheCreationEphemeral5mInputTokens { get; set; }

    /// <summary><c>cache_creation.ephemeral_1h_input_tokens</c>.</summary>
    public int? CacheCreationEphemeral1hInputTokens { get; set; }

    /// <summary><c>server_tool_use.web_search_requests</c>.</summary>
    public int? WebSearchRequests { get; set; }

    /// <summary><c>server_tool_use.web_fetch_requests</c>.</summary>
    public int? WebFetchRequests { get; set; }

    /// <summary><c>output_tokens_details.thinking_tokens</c>.</summary>
    public int? ThinkingTokens { get; set; }

    /// <summary><c>service_tier</c>.</summary>
    public string? ServiceTier { get; set; }

    /// <summary><c>inference_geo</c>.</summary>
    public string? InferenceGeo { get; set; }

    /// <summary>Beta <c>speed</c>.</summary>
    public string? Speed { get; set; }

    /// <summary>Beta <c>iterations</c>, raw JSON.</summary>
    public string? IterationsJson { get; set; }

    /// <summary>Beta <c>fallback_credit</c>, raw JSON.</summary>
    public string? FallbackCreditJson { get; set; }

    /// <summary>Writes the usage object in the API's shape.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("input_tokens", InputTokens);
        ModelJson.WriteNumberIfPresent(writer, "cache_creation_input_tokens", CacheCreationInputTokens);
        ModelJson.WriteNumberIfPresent(writer, "cache_read_input_tokens", CacheReadInputTokens);
        if (CacheCreationEphemeral5mInputTokens is not null || CacheCreationEphemeral1hInputTokens is not null)
        {
            writer.WriteStartObject("cache_creation");
            ModelJson.WriteNumberIfPresent(writer, "ephemeral_5m_input_tokens", CacheCreationEphemeral5mInputTokens);
            ModelJson.WriteNumberIfPresent(writer, "ephemeral_1h_input_tokens", CacheCreationEphemeral1hInputTokens);
            writer.WriteEndObject();
        }

        writer.WriteNumber("output_tokens", OutputTokens);
        if (ThinkingTokens is not null)
        {
            writer.WriteStartObject("output_tokens_details");
            writer.WriteNumber("thinking_tokens", ThinkingTokens.Value);
            writer.WriteEndObject();
        }

        if (WebSearchRequests is not null || WebFetchRequests is not null)
        {
            writer.WriteStartObject("server_tool_use");
            ModelJson.WriteNumberIfPresent(writer, "web_search_requests", WebSearchRequests);
            ModelJson.WriteNumberIfPresent(writer, "web_fetch_requests", WebFetchRequests);
            writer.WriteEndObject();
        }

        ModelJson.WriteStringIfPresent(writer, "service_tier", ServiceTier);

        ModelJson.WriteStringIfPresent(writer, "inference_geo", InferenceGeo);

        ModelJson.WriteStringIfPresent(writer, "speed", Speed);

        ModelJson.WriteRawIfPresent(writer, "iterations", IterationsJson);

        ModelJson.WriteRawIfPresent(writer, "fallback_credit", FallbackCreditJson);

        writer.WriteEndObject();
    }

}

/// <summary>A content block of a message. Match on the subclass, or on <see cref="Type"/>.</summary>
public abstract class ContentBlock
{
    private protected ContentBlock(int index, ContentBlockType type)
    {
        Index = index;
        Type = type;
    }

    /// <summary>The block's <c>index</c> in the stream.</summary>
    public int Index { get; }

    /// <summary>The block's type.</summary>
    public ContentBlockType Type { get; }

    /// <summary>Whether its <c>content_block_stop</c> arrived (false for a block cut by <c>max_tokens</c> or a broken stream).</summary>
    public bool IsComplete { get; internal set; }

    /// <summary>Writes the block in the API's shape.</summary>
    /// <param name="writer">The writer.</param>
    public abstract void WriteTo(Utf8JsonWriter writer);
}

/// <summary>A <c>text</c> block.</summary>
public sealed class TextBlock : ContentBlock
{
    internal TextBlock(int index, string text, IReadOnlyList<Citation> citations)
        : base(index, ContentBlockType.Text)
    {
        Text = text;
        Citations = citations;
    }

    /// <summary>The text: the start value followed by every <c>text_delta</c>.</summary>
    public string Text { get; }

    /// <summary>The citations, in the order they arrived.</summary>
    public IReadOnlyList<Citation> Citations { get; }

    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "text");
        writer.WriteString("text", Text);
        if (Citations.Count > 0)
        {
            writer.WriteStartArray("citations");
            foreach (Citation c in Citations)
            {
                ModelJson.WriteRaw(writer, c.Json);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}

/// <summary>A citation attached to a text block (char, page, content block, web search or search result location).</summary>
public sealed class Citation
{
    /// <summary>Creates a citation.</summary>
    /// <param name="type">Its <c>type</c>.</param>
    /// <param name="json">The raw JSON object.</param>
    public Citation(string type, string json)
    {
        Type = type;
        Json = json;
    }

    /// <summary><c>type</c>, e.g. <c>char_location</c> or <c>web_search_result_location</c>.</summary>
    public string Type { get; }

    /// <summary>The citation as raw JSON.</summary>
    public string Json { get; }
}

/// <summary>A <c>thinking</c> block.</summary>
public sealed class ThinkingBlock : ContentBlock
{
    internal ThinkingBlock(int index, string thinking, string signature)
        : base(index, ContentBlockType.Thinking)
    {
        Thinking = thinking;
        Signature = signature;
    }

    /// <summary>The thinking text.</summary>
    public string Thinking { get; }

    /// <summary>The signature (set by <c>signature_delta</c>).</summary>
    public string Signature { get; }

    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "thinking");
        writer.WriteString("thinking", Thinking);
        writer.WriteString("signature", Signature);
        writer.WriteEndObject();
    }
}

/// <summary>
/// A tool call: <c>tool_use</c>, <c>server_tool_use</c> or beta <c>mcp_tool_use</c>. The input
/// arrives as JSON text in pieces, is read as it arrives (<see cref="MessageAccumulator.GetToolInput"/>)
/// and parsed once, when the block stops (or when the message is taken).
/// </summary>
/// <remarks>
/// Whole input: <see cref="Input"/> and <see cref="InputSnapshot"/> hold it. Input cut short
/// (<c>max_tokens</c>, a broken stream, or a message taken mid-block):
/// <see cref="IsInputTruncated"/>, <see cref="Input"/> null, <see cref="InputSnapshot"/> the
/// snapshot (valid JSON, unfinished parts closed, see <see cref="StreamingToolInput"/>). Text that
/// is not JSON: <see cref="InputStatus"/> says so, both are null. <see cref="InputJson"/> always
/// holds the text as received; nothing throws.
/// </remarks>
public sealed class ToolUseBlock : ContentBlock
{
    internal ToolUseBlock(int index, ContentBlockType type, string id, string name, string inputJson, JsonElement? input, string? startJson)
        : base(index, type)
    {
        Id = id;
        Name = name;
        InputJson = inputJson;
        Input = input;
        InputSnapshot = input;
        InputStatus = input is null ? ToolInputStatus.Malformed : ToolInputStatus.Complete;
        StartJson = startJson;
    }

    /// <summary><c>id</c>.</summary>
    public string Id { get; }

    /// <summary><c>name</c>.</summary>
    public string Name { get; }

    /// <summary>The input's JSON text as received: every <c>partial_json</c> joined.</summary>
    public string InputJson { get; }

    /// <summary>
    /// The parsed input: <c>{}</c> when no JSON arrived; null when the text is not whole JSON (a
    /// truncated stream, <c>max_tokens</c>: see <see cref="InputSnapshot"/>) — <see cref="InputJson"/>
    /// still holds it.
    /// </summary>
    public JsonElement? Input { get; }

    /// <summary>Whether <see cref="InputJson"/> parsed (or was empty).</summary>
    public bool InputIsValid => Input is not null;

    /// <summary>What the input's text is: whole, cut short, malformed or nested too deep.</summary>
    public ToolInputStatus InputStatus { get; internal init; }

    /// <summary>Whether the input was cut short: <see cref="InputSnapshot"/> holds what arrived, closed into valid JSON.</summary>
    public bool IsInputTruncated => InputStatus == ToolInputStatus.Partial;

    /// <summary>
    /// The input as far as it arrived: <see cref="Input"/> when whole; when cut short, the snapshot
    /// (finished values as they are, the open string closed with its text so far, unfinished members,
    /// numbers and literals left out); null when the text is malformed or too deep.
    /// </summary>
    public JsonElement? InputSnapshot { get; internal init; }

    /// <summary>The <c>content_block</c> of <c>content_block_start</c>, raw JSON (for fields such as <c>caller</c> or <c>server_name</c>).</summary>
    public string? StartJson { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// Input cut short is written as its snapshot, with <c>"truncated": true</c> and the text as
    /// received in an extra <c>partial_input_json</c> property; input that is not JSON as <c>{}</c>
    /// with <c>partial_input_json</c>.
    /// </remarks>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Type.Value);
        writer.WriteString("id", Id);
        writer.WriteString("name", Name);
        writer.WritePropertyName("input");
        if (Input is { } input)
        {
            ModelJson.WriteElement(writer, input, InputJson);
        }
        else
        {
            if (IsInputTruncated && InputSnapshot is { } snapshot)
            {
                ModelJson.WriteSnapshot(writer, snapshot);
                writer.WriteBoolean("truncated", true);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }

            writer.WriteString("partial_input_json", InputJson);
        }

        writer.WriteEndObject();
    }
}

/// <summary>A <c>redacted_thinking</c> block.</summary>
public sealed class RedactedThinkingBlock : ContentBlock
{
    internal RedactedThinkingBlock(int index, string data)
        : base(index, ContentBlockType.RedactedThinking) => Data = data;

    /// <summary>The opaque encrypted data.</summary>
    public string Data { get; }

    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "redacted_thinking");
        writer.WriteString("data", Data);
        writer.WriteEndObject();
    }
}

/// <summary>A beta <c>compaction</c> block.</summary>
public sealed class CompactionBlock : ContentBlock
{
    internal CompactionBlock(int index, string? content, string? encryptedContent)
        : base(index, ContentBlockType.Compaction)
    {
        Content = content;
        EncryptedContent = encryptedContent;
    }

    /// <summary><c>content</c>: the compacted summary (appended from deltas).</summary>
    public string? Content { get; }

    /// <summary><c>encrypted_content</c> (set from deltas).</summary>
    public string? EncryptedContent { get; }

    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "compaction");
        ModelJson.WriteStringOrNull(writer, "content", Content);
        ModelJson.WriteStringOrNull(writer, "encrypted_content", EncryptedContent);
        writer.WriteEndObject();
    }

}

/// <summary>
/// A block kept as the raw JSON it arrived as: blocks that come whole in
/// <c>content_block_start</c> (tool results, <c>container_upload</c>, beta <c>fallback</c>, ...)
/// and block types this library does not know. Deltas of unknown types are kept too.
/// </summary>
public sealed class RawContentBlock : ContentBlock
{
    internal RawContentBlock(int index, ContentBlockType type, string json, IReadOnlyList<string> unknownDeltas)
        : base(index, type)
    {
        Json = json;
        UnknownDeltas = unknownDeltas;
    }

    /// <summary>The <c>content_block</c> of <c>content_block_start</c>, raw JSON.</summary>
    public string Json { get; }

    /// <summary>Deltas of types this library does not know, raw JSON, in order.</summary>
    public IReadOnlyList<string> UnknownDeltas { get; }

    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer) => ModelJson.WriteRaw(writer, Json);
}

/// <summary>The few shapes in which the model writes itself as the API's JSON.</summary>
internal static class ModelJson
{
    /// <summary>Writes JSON kept as received (possibly spread over several SSE data lines) in the writer's own formatting.</summary>
    public static void WriteRaw(Utf8JsonWriter writer, string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        WriteElement(writer, doc.RootElement, json);
    }

    /// <summary>
    /// Writes <paramref name="element"/>, parsed from <paramref name="json"/>, in the writer's own
    /// formatting; or, when its strings do not decode, <paramref name="json"/> itself with the
    /// whitespace between tokens removed.
    /// </summary>
    /// <remarks>
    /// The reader accepts an escaped lone surrogate (<c>"\ud800"</c>), but <see cref="JsonElement.WriteTo"/>
    /// unescapes every escaped string to write it again and throws <see cref="InvalidOperationException"/>
    /// there (found by fuzzing: fuzz/regressions/anthropic/raw-block-with-lone-surrogate-escape.sse).
    /// A probe write finds out first, so that the real writer is never left half-written.
    /// </remarks>
    public static void WriteElement(Utf8JsonWriter writer, JsonElement element, string json)
    {
        if (json.IndexOf('\\') < 0 || CanRewrite(element))
        {
            element.WriteTo(writer);
        }
        else
        {
            writer.WriteRawValue(RemoveWhitespace(json), skipInputValidation: true);
        }
    }

    private static bool CanRewrite(JsonElement element)
    {
        using var probe = new Utf8JsonWriter(Stream.Null);
        try
        {
            element.WriteTo(probe);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// A tool input's snapshot, as <see cref="WriteElement"/> writes a whole input: rewritten, or,
    /// when a lone surrogate escape keeps the writer from rewriting it, its own text. When that
    /// text is not valid UTF-8 either, <c>{}</c> (the block's <c>partial_input_json</c> still holds
    /// every byte as received, with U+FFFD for the invalid ones).
    /// </summary>
    public static void WriteSnapshot(Utf8JsonWriter writer, JsonElement snapshot)
    {
        if (CanRewrite(snapshot))
        {
            snapshot.WriteTo(writer);
            return;
        }

        string json;
        try
        {
            json = snapshot.GetRawText();
        }
        catch (InvalidOperationException)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }

        writer.WriteRawValue(RemoveWhitespace(json), skipInputValidation: true);
    }

    /// <summary>Valid JSON without the whitespace between its tokens (a <c>ToJson</c> result stays one line).</summary>
    private static string RemoveWhitespace(string json)
    {
        var sb = new StringBuilder(json.Length);
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\')
                {
                    sb.Append(json[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c is not (' ' or '\t' or '\r' or '\n'))
            {
                sb.Append(c);
                inString = c == '"';
            }
        }

        return sb.ToString();
    }

    public static void WriteRawIfPresent(Utf8JsonWriter writer, string name, string? json)
    {
        if (json is not null)
        {
            writer.WritePropertyName(name);
            WriteRaw(writer, json);
        }
    }

    public static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    public static void WriteStringIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    public static void WriteNumberIfPresent(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is not null)
        {
            writer.WriteNumber(name, value.Value);
        }
    }
}
