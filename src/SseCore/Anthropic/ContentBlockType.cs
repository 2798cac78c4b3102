using System;
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>The known values of <see cref="ContentBlockType"/>.</summary>
public enum ContentBlockTypeKind
{
    /// <summary>A value this version of the library does not know; see <see cref="ContentBlockType.Value"/>.</summary>
    Unknown = 0,

    /// <summary><c>text</c>: Text, possibly with citations.</summary>
    Text,

    /// <summary><c>thinking</c>: Extended thinking, with a signature.</summary>
    Thinking,

    /// <summary><c>redacted_thinking</c>: Encrypted thinking.</summary>
    RedactedThinking,

    /// <summary><c>tool_use</c>: A client tool call; its input streams as JSON.</summary>
    ToolUse,

    /// <summary><c>server_tool_use</c>: A server tool call (web search, code execution, ...); its input streams as JSON.</summary>
    ServerToolUse,

    /// <summary><c>web_search_tool_result</c>: A web search result, complete at its start.</summary>
    WebSearchToolResult,

    /// <summary><c>web_fetch_tool_result</c>: A web fetch result, complete at its start.</summary>
    WebFetchToolResult,

    /// <summary><c>code_execution_tool_result</c>: A code execution result, complete at its start.</summary>
    CodeExecutionToolResult,

    /// <summary><c>bash_code_execution_tool_result</c>: A bash code execution result, complete at its start.</summary>
    BashCodeExecutionToolResult,

    /// <summary><c>text_editor_code_execution_tool_result</c>: A text editor code execution result, complete at its start.</summary>
    TextEditorCodeExecutionToolResult,

    /// <summary><c>tool_search_tool_result</c>: A tool search result, complete at its start.</summary>
    ToolSearchToolResult,

    /// <summary><c>container_upload</c>: A file uploaded to the container.</summary>
    ContainerUpload,

    /// <summary><c>mcp_tool_use</c>: Beta: an MCP tool call; its input streams as JSON.</summary>
    McpToolUse,

    /// <summary><c>mcp_tool_result</c>: Beta: an MCP tool result.</summary>
    McpToolResult,

    /// <summary><c>compaction</c>: Beta: a compaction block, streamed with compaction deltas.</summary>
    Compaction,

    /// <summary><c>fallback</c>: Beta: a model fallback notice.</summary>
    Fallback,

    /// <summary><c>advisor_tool_result</c>: Beta: an advisor tool result.</summary>
    AdvisorToolResult,
}

/// <summary>The type of a content block, an open enum: known values have a <see cref="Kind"/>, any value keeps its wire text in <see cref="Value"/>.</summary>
public readonly struct ContentBlockType : IEquatable<ContentBlockType>
{
    private readonly string? _value;
    private const string TextValue = "text";
    private const string ThinkingValue = "thinking";
    private const string RedactedThinkingValue = "redacted_thinking";
    private const string ToolUseValue = "tool_use";
    private const string ServerToolUseValue = "server_tool_use";
    private const string WebSearchToolResultValue = "web_search_tool_result";
    private const string WebFetchToolResultValue = "web_fetch_tool_result";
    private const string CodeExecutionToolResultValue = "code_execution_tool_result";
    private const string BashCodeExecutionToolResultValue = "bash_code_execution_tool_result";
    private const string TextEditorCodeExecutionToolResultValue = "text_editor_code_execution_tool_result";
    private const string ToolSearchToolResultValue = "tool_search_tool_result";
    private const string ContainerUploadValue = "container_upload";
    private const string McpToolUseValue = "mcp_tool_use";
    private const string McpToolResultValue = "mcp_tool_result";
    private const string CompactionValue = "compaction";
    private const string FallbackValue = "fallback";
    private const string AdvisorToolResultValue = "advisor_tool_result";

    /// <summary>Creates a value from its wire text.</summary>
    /// <param name="value">The wire text.</param>
    public ContentBlockType(string value)
    {
        _value = value ?? throw new ArgumentNullException(nameof(value));
        Kind = Classify(value);
    }

    private ContentBlockType(string value, ContentBlockTypeKind kind)
    {
        _value = value;
        Kind = kind;
    }

    /// <summary><c>text</c>: Text, possibly with citations.</summary>
    public static ContentBlockType Text => new(TextValue, ContentBlockTypeKind.Text);

    /// <summary><c>thinking</c>: Extended thinking, with a signature.</summary>
    public static ContentBlockType Thinking => new(ThinkingValue, ContentBlockTypeKind.Thinking);

    /// <summary><c>redacted_thinking</c>: Encrypted thinking.</summary>
    public static ContentBlockType RedactedThinking => new(RedactedThinkingValue, ContentBlockTypeKind.RedactedThinking);

    /// <summary><c>tool_use</c>: A client tool call; its input streams as JSON.</summary>
    public static ContentBlockType ToolUse => new(ToolUseValue, ContentBlockTypeKind.ToolUse);

    /// <summary><c>server_tool_use</c>: A server tool call (web search, code execution, ...); its input streams as JSON.</summary>
    public static ContentBlockType ServerToolUse => new(ServerToolUseValue, ContentBlockTypeKind.ServerToolUse);

    /// <summary><c>web_search_tool_result</c>: A web search result, complete at its start.</summary>
    public static ContentBlockType WebSearchToolResult => new(WebSearchToolResultValue, ContentBlockTypeKind.WebSearchToolResult);

    /// <summary><c>web_fetch_tool_result</c>: A web fetch result, complete at its start.</summary>
    public static ContentBlockType WebFetchToolResult => new(WebFetchToolResultValue, ContentBlockTypeKind.WebFetchToolResult);

    /// <summary><c>code_execution_tool_result</c>: A code execution result, complete at its start.</summary>
    public static ContentBlockType CodeExecutionToolResult => new(CodeExecutionToolResultValue, ContentBlockTypeKind.CodeExecutionToolResult);

    /// <summary><c>bash_code_execution_tool_result</c>: A bash code execution result, complete at its start.</summary>
    public static ContentBlockType BashCodeExecutionToolResult => new(BashCodeExecutionToolResultValue, ContentBlockTypeKind.BashCodeExecutionToolResult);

    /// <summary><c>text_editor_code_execution_tool_result</c>: A text editor code execution result, complete at its start.</summary>
    public static ContentBlockType TextEditorCodeExecutionToolResult => new(TextEditorCodeExecutionToolResultValue, ContentBlockTypeKind.TextEditorCodeExecutionToolResult);

    /// <summary><c>tool_search_tool_result</c>: A tool search result, complete at its start.</summary>
    public static ContentBlockType ToolSearchToolResult => new(ToolSearchToolResultValue, ContentBlockTypeKind.ToolSearchToolResult);

    /// <summary><c>container_upload</c>: A file uploaded to the container.</summary>
    public static ContentBlockType ContainerUpload => new(ContainerUploadValue, ContentBlockTypeKind.ContainerUpload);

    /// <summary><c>mcp_tool_use</c>: Beta: an MCP tool call; its input streams as JSON.</summary>
    public static ContentBlockType McpToolUse => new(McpToolUseValue, ContentBlockTypeKind.McpToolUse);

    /// <summary><c>mcp_tool_result</c>: Beta: an MCP tool result.</summary>
    public static ContentBlockType McpToolResult => new(McpToolResultValue, ContentBlockTypeKind.McpToolResult);

    /// <summary><c>compaction</c>: Beta: a compaction block, streamed with compaction deltas.</summary>
    public static ContentBlockType Compaction => new(CompactionValue, ContentBlockTypeKind.Compaction);

    /// <summary><c>fallback</c>: Beta: a model fallback notice.</summary>
    public static ContentBlockType Fallback => new(FallbackValue, ContentBlockTypeKind.Fallback);

    /// <summary><c>advisor_tool_result</c>: Beta: an advisor tool result.</summary>
    public static ContentBlockType AdvisorToolResult => new(AdvisorToolResultValue, ContentBlockTypeKind.AdvisorToolResult);

    /// <summary>The known value, or <see cref="ContentBlockTypeKind.Unknown"/>.</summary>
    public ContentBlockTypeKind Kind { get; }

    /// <summary>The wire text (for known values a shared string: no allocation).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares the wire text.</summary>
    public static bool operator ==(ContentBlockType left, ContentBlockType right) => left.Equals(right);

    /// <summary>Compares the wire text.</summary>
    public static bool operator !=(ContentBlockType left, ContentBlockType right) => !left.Equals(right);

    /// <summary>Maps wire text given as UTF-8 to a value; known values allocate nothing.</summary>
    /// <param name="utf8">The wire text.</param>
    /// <param name="cache">Where unknown values are interned, or null to allocate.</param>
    /// <returns>The value.</returns>
    internal static ContentBlockType FromUtf8(ReadOnlySpan<byte> utf8, StringCache? cache)
    {
        if (utf8.SequenceEqual("text"u8))
        {
            return Text;
        }

        if (utf8.SequenceEqual("thinking"u8))
        {
            return Thinking;
        }

        if (utf8.SequenceEqual("redacted_thinking"u8))
        {
            return RedactedThinking;
        }

        if (utf8.SequenceEqual("tool_use"u8))
        {
            return ToolUse;
        }

        if (utf8.SequenceEqual("server_tool_use"u8))
        {
            return ServerToolUse;
        }

        if (utf8.SequenceEqual("web_search_tool_result"u8))
        {
            return WebSearchToolResult;
        }

        if (utf8.SequenceEqual("web_fetch_tool_result"u8))
        {
            return WebFetchToolResult;
        }

        if (utf8.SequenceEqual("code_execution_tool_result"u8))
        {
            return CodeExecutionToolResult;
        }

        if (utf8.SequenceEqual("bash_code_execution_tool_result"u8))
        {
            return BashCodeExecutionToolResult;
        }

        if (utf8.SequenceEqual("text_editor_code_execution_tool_result"u8))
        {
            return TextEditorCodeExecutionToolResult;
        }

        if (utf8.SequenceEqual("tool_search_tool_result"u8))
        {
            return ToolSearchToolResult;
        }

        if (utf8.SequenceEqual("container_upload"u8))
        {
            return ContainerUpload;
        }

        if (utf8.SequenceEqual("mcp_tool_use"u8))
        {
            return McpToolUse;
        }

        if (utf8.SequenceEqual("mcp_tool_result"u8))
        {
            return McpToolResult;
        }

        if (utf8.SequenceEqual("compaction"u8))
        {
            return Compaction;
        }

        if (utf8.SequenceEqual("fallback"u8))
        {
            return Fallback;
        }

        if (utf8.SequenceEqual("advisor_tool_result"u8))
        {
            return AdvisorToolResult;
        }

        return new ContentBlockType(cache is null ? Utf8Util.GetString(utf8) : cache.Get(utf8), ContentBlockTypeKind.Unknown);
    }

    /// <inheritdoc/>
    public bool Equals(ContentBlockType other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ContentBlockType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>The wire text.</summary>
    /// <returns><see cref="Value"/>.</returns>
    public override string ToString() => Value;

    private static ContentBlockTypeKind Classify(string value) => value switch
    {
        TextValue => ContentBlockTypeKind.Text,
        ThinkingValue => ContentBlockTypeKind.Thinking,
        RedactedThinkingValue => ContentBlockTypeKind.RedactedThinking,
        ToolUseValue => ContentBlockTypeKind.ToolUse,
        ServerToolUseValue => ContentBlockTypeKind.ServerToolUse,
        WebSearchToolResultValue => ContentBlockTypeKind.WebSearchToolResult,
        WebFetchToolResultValue => ContentBlockTypeKind.WebFetchToolResult,
        CodeExecutionToolResultValue => ContentBlockTypeKind.CodeExecutionToolResult,
        BashCodeExecutionToolResultValue => ContentBlockTypeKind.BashCodeExecutionToolResult,
        TextEditorCodeExecutionToolResultValue => ContentBlockTypeKind.TextEditorCodeExecutionToolResult,
        ToolSearchToolResultValue => ContentBlockTypeKind.ToolSearchToolResult,
        ContainerUploadValue => ContentBlockTypeKind.ContainerUpload,
        McpToolUseValue => ContentBlockTypeKind.McpToolUse,
        McpToolResultValue => ContentBlockTypeKind.McpToolResult,
        CompactionValue => ContentBlockTypeKind.Compaction,
        FallbackValue => ContentBlockTypeKind.Fallback,
        AdvisorToolResultValue => ContentBlockTypeKind.AdvisorToolResult,
        _ => ContentBlockTypeKind.Unknown,
    };
}
