using System;
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>The known values of <see cref="StopReason"/>.</summary>
public enum StopReasonKind
{
    /// <summary>A value this version of the library does not know; see <see cref="StopReason.Value"/>.</summary>
    Unknown = 0,

    /// <summary><c>end_turn</c>: The model reached a natural stopping point.</summary>
    EndTurn,

    /// <summary><c>max_tokens</c>: The requested max_tokens or the model's maximum was reached.</summary>
    MaxTokens,

    /// <summary><c>stop_sequence</c>: One of the custom stop sequences was generated.</summary>
    StopSequence,

    /// <summary><c>tool_use</c>: The model invoked one or more tools.</summary>
    ToolUse,

    /// <summary><c>pause_turn</c>: A long-running turn (server tools) was paused; send the response back to continue.</summary>
    PauseTurn,

    /// <summary><c>refusal</c>: Streaming classifiers intervened to handle a potential policy violation.</summary>
    Refusal,

    /// <summary><c>model_context_window_exceeded</c>: The model's context window was exhausted.</summary>
    ModelContextWindowExceeded,

    /// <summary><c>compaction</c>: Beta: the context was compacted.</summary>
    Compaction,
}

/// <summary>The reason the model stopped, an open enum: known values have a <see cref="Kind"/>, any value keeps its wire text in <see cref="Value"/>.</summary>
public readonly struct StopReason : IEquatable<StopReason>
{
    private readonly string? _value;
    private const string EndTurnValue = "end_turn";
    private const string MaxTokensValue = "max_tokens";
    private const string StopSequenceValue = "stop_sequence";
    private const string ToolUseValue = "tool_use";
    private const string PauseTurnValue = "pause_turn";
    private const string RefusalValue = "refusal";
    private const string ModelContextWindowExceededValue = "model_context_window_exceeded";
    private const string CompactionValue = "compaction";

    /// <summary>Creates a value from its wire text.</summary>
    /// <param name="value">The wire text.</param>
    public StopReason(string value)
    {
        _value = value ?? throw new ArgumentNullException(nameof(value));
        Kind = Classify(value);
    }

    private StopReason(string value, StopReasonKind kind)
    {
        _value = value;
        Kind = kind;
    }

    /// <summary><c>end_turn</c>: The model reached a natural stopping point.</summary>
    public static StopReason EndTurn => new(EndTurnValue, StopReasonKind.EndTurn);

    /// <summary><c>max_tokens</c>: The requested max_tokens or the model's maximum was reached.</summary>
    public static StopReason MaxTokens => new(MaxTokensValue, StopReasonKind.MaxTokens);

    /// <summary><c>stop_sequence</c>: One of the custom stop sequences was generated.</summary>
    public static StopReason StopSequence => new(StopSequenceValue, StopReasonKind.StopSequence);

    /// <summary><c>tool_use</c>: The model invoked one or more tools.</summary>
    public static StopReason ToolUse => new(ToolUseValue, StopReasonKind.ToolUse);

    /// <summary><c>pause_turn</c>: A long-running turn (server tools) was paused; send the response back to continue.</summary>
    public static StopReason PauseTurn => new(PauseTurnValue, StopReasonKind.PauseTurn);

    /// <summary><c>refusal</c>: Streaming classifiers intervened to handle a potential policy violation.</summary>
    public static StopReason Refusal => new(RefusalValue, StopReasonKind.Refusal);

    /// <summary><c>model_context_window_exceeded</c>: The model's context window was exhausted.</summary>
    public static StopReason ModelContextWindowExceeded => new(ModelContextWindowExceededValue, StopReasonKind.ModelContextWindowExceeded);

    /// <summary><c>compaction</c>: Beta: the context was compacted.</summary>
    public static StopReason Compaction => new(CompactionValue, StopReasonKind.Compaction);

    /// <summary>The known value, or <see cref="StopReasonKind.Unknown"/>.</summary>
    public StopReasonKind Kind { get; }

    /// <summary>The wire text (for known values a shared string: no allocation).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares the wire text.</summary>
    public static bool operator ==(StopReason left, StopReason right) => left.Equals(right);

    /// <summary>Compares the wire text.</summary>
    public static bool operator !=(StopReason left, StopReason right) => !left.Equals(right);

    /// <summary>Maps wire text given as UTF-8 to a value; known values allocate nothing.</summary>
    /// <param name="utf8">The wire text.</param>
    /// <param name="cache">Where unknown values are interned, or null to allocate.</param>
    /// <returns>The value.</returns>
    internal static StopReason FromUtf8(ReadOnlySpan<byte> utf8, StringCache? cache)
    {
        if (utf8.SequenceEqual("end_turn"u8))
        {
            return EndTurn;
        }

        if (utf8.SequenceEqual("max_tokens"u8))
        {
            return MaxTokens;
        }

        if (utf8.SequenceEqual("stop_sequence"u8))
        {
            return StopSequence;
        }

        if (utf8.SequenceEqual("tool_use"u8))
        {
            return ToolUse;
        }

        if (utf8.SequenceEqual("pause_turn"u8))
        {
            return PauseTurn;
        }

        if (utf8.SequenceEqual("refusal"u8))
        {
            return Refusal;
        }

        if (utf8.SequenceEqual("model_context_window_exceeded"u8))
        {
            return ModelContextWindowExceeded;
        }

        if (utf8.SequenceEqual("compaction"u8))
        {
            return Compaction;
        }

        return new StopReason(cache is null ? Utf8Util.GetString(utf8) : cache.Get(utf8), StopReasonKind.Unknown);
    }

    /// <inheritdoc/>
    public bool Equals(StopReason other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is StopReason other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>The wire text.</summary>
    /// <returns><see cref="Value"/>.</returns>
    public override string ToString() => Value;

    private static StopReasonKind Classify(string value) => value switch
    {
        EndTurnValue => StopReasonKind.EndTurn,
        MaxTokensValue => StopReasonKind.MaxTokens,
        StopSequenceValue => StopReasonKind.StopSequence,
        ToolUseValue => StopReasonKind.ToolUse,
        PauseTurnValue => StopReasonKind.PauseTurn,
        RefusalValue => StopReasonKind.Refusal,
        ModelContextWindowExceededValue => StopReasonKind.ModelContextWindowExceeded,
        CompactionValue => StopReasonKind.Compaction,
        _ => StopReasonKind.Unknown,
    };
}
