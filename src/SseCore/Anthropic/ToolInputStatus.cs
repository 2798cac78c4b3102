namespace SseCore.Anthropic;

/// <summary>What the JSON text of a tool's input is, as far as it arrived.</summary>
public enum ToolInputStatus
{
    /// <summary>
    /// A proper prefix of a JSON value: still arriving, or cut short (<c>max_tokens</c>, a broken
    /// stream). Its snapshot closes what is unfinished. Blank text is partial too.
    /// </summary>
    Partial,

    /// <summary>A whole JSON value (followed by whitespace at most).</summary>
    Complete,

    /// <summary>Not JSON, and no continuation can make it JSON. The text is kept raw.</summary>
    Malformed,

    /// <summary>Objects and arrays nest deeper than <see cref="StreamingToolInput.MaxDepth"/>. The text is kept raw.</summary>
    TooDeep,
}
