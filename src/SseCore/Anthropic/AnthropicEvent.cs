using System;
using System.Runtime.InteropServices;
using System.Diagnostics.CodeAnalysis;

namespace SseCore.Anthropic;

/// <summary>The Messages streaming event types, told apart by the SSE event name.</summary>
public enum AnthropicEventKind
{
    /// <summary>An event name this library does not know (future types, proxies' <c>vertex_event</c>, data-only events): see <see cref="AnthropicEvent.EventName"/> and <see cref="AnthropicEvent.Data"/>.</summary>
    Unknown = 0,

    /// <summary><c>message_start</c>: see <see cref="AnthropicEvent.MessageStart"/>.</summary>
    MessageStart,

    /// <summary><c>content_block_start</c>: see <see cref="AnthropicEvent.ContentBlockStart"/>.</summary>
    ContentBlockStart,

    /// <summary><c>content_block_delta</c>: see <see cref="AnthropicEvent.Delta"/>.</summary>
    ContentBlockDelta,

    /// <summary><c>content_block_stop</c>: see <see cref="AnthropicEvent.Index"/>.</summary>
    ContentBlockStop,

    /// <summary><c>message_delta</c>: see <see cref="AnthropicEvent.MessageDelta"/>.</summary>
    MessageDelta,

    /// <summary><c>message_stop</c>: the message is complete.</summary>
    MessageStop,

    /// <summary><c>ping</c>: a keep-alive.</summary>
    Ping,

    /// <summary><c>error</c>: see <see cref="AnthropicEvent.Error"/>. Terminal.</summary>
    Error,
}

/// <summary>The kinds of <c>content_block_delta</c>.</summary>
public enum DeltaKind
{
    /// <summary>A delta type this library does not know: see <see cref="DeltaView.TypeName"/> and <see cref="DeltaView.RawJson"/>.</summary>
    Unknown = 0,

    /// <summary><c>text_delta</c>: <see cref="DeltaView.Text"/>.</summary>
    Text,

    /// <summary><c>input_json_delta</c>: <see cref="DeltaView.PartialJson"/>.</summary>
    InputJson,

    /// <summary><c>thinking_delta</c>: <see cref="DeltaView.Thinking"/>.</summary>
    Thinking,

    /// <summary><c>signature_delta</c>: <see cref="DeltaView.Signature"/>.</summary>
    Signature,

    /// <summary><c>citations_delta</c>: <see cref="DeltaView.CitationJson"/>.</summary>
    Citations,

    /// <summary>Beta <c>compaction_delta</c>: <see cref="DeltaView.CompactionContent"/> and <see cref="DeltaView.EncryptedContent"/>.</summary>
    Compaction,
}

/// <summary>
/// Usage as sent in <c>message_start</c> (initial) or <c>message_delta</c> (cumulative totals).
/// A null count was absent (or null) on the wire: keep the earlier value.
/// </summary>
[StructLayout(LayoutKind.Auto)] // Pack fields: these views are embedded and zeroed per event.
public ref struct UsageView
{
    /// <summary>Whether the event had a <c>usage</c> object.</summary>
    public bool IsPresent { get; internal set; }

    /// <summary><c>input_tokens</c>.</summary>
    public int? InputTokens { get; internal set; }

    /// <summary><c>output_tokens</c>.</summary>
    public int? OutputTokens { get; internal set; }

    /// <summary><c>cache_creation_input_tokens</c>.</summary>
    public int? CacheCreationInputTokens { get; internal set; }

    /// <summary><c>cache_read_input_tokens</c>.</summary>
    public int? CacheReadInputTokens { get; internal set; }

    /// <summary><c>cache_creation.ephemeral_5m_input_tokens</c>.</summary>
    public int? CacheCreationEphemeral5mInputTokens { get; internal set; }

    /// <summary><c>cache_creation.ephemeral_1h_input_tokens</c>.</summary>
    public int? CacheCreationEphemeral1hInputTokens { get; internal set; }

    /// <summary><c>server_tool_use.web_search_requests</c>.</summary>
    public int? WebSearchRequests { get; internal set; }

    /// <summary><c>server_tool_use.web_fetch_requests</c>.</summary>
    public int? WebFetchRequests { get; internal set; }

    /// <summary><c>output_tokens_details.thinking_tokens</c>.</summary>
    public int? ThinkingTokens { get; internal set; }

    /// <summary><c>service_tier</c> (<c>standard</c>, <c>priority</c>, <c>batch</c>).</summary>
    public JsonText ServiceTier { get; internal set; }

    /// <summary><c>inference_geo</c>.</summary>
    public JsonText InferenceGeo { get; internal set; }

    /// <summary>Beta <c>speed</c>.</summary>
    public JsonText Speed { get; internal set; }

    /// <summary>Beta <c>iterations</c>, raw JSON; empty when absent.</summary>
    public ReadOnlySpan<byte> IterationsJson { get; internal set; }

    /// <summary>Beta <c>fallback_credit</c>, raw JSON; empty when absent.</summary>
    public ReadOnlySpan<byte> FallbackCreditJson { get; internal set; }

    /// <summary>The whole <c>usage</c> object, raw JSON: fields this library does not model are here.</summary>
    public ReadOnlySpan<byte> RawJson { get; internal set; }
}

/// <summary><c>message_start</c>: the message's identity and initial usage.</summary>
[StructLayout(LayoutKind.Auto)] // Pack fields: these views are embedded and zeroed per event.
public ref struct MessageStartView
{
    /// <summary><c>message.id</c>.</summary>
    public JsonText Id { get; internal set; }

    /// <summary><c>message.model</c>.</summary>
    public JsonText Model { get; internal set; }

    /// <summary><c>message.role</c> (<c>assistant</c>).</summary>
    public JsonText Role { get; internal set; }

    /// <summary><c>message.usage</c>.</summary>
    /// <remarks>A reference into this event: read it in place (no copy); valid as long as the event.</remarks>
    [UnscopedRef]
    public readonly ref readonly UsageView Usage => ref UsageField;

#pragma warning disable SA1401, CA1051 // Filled in place by the decoder.
    internal UsageView UsageField;
#pragma warning restore SA1401, CA1051

    /// <summary>The whole <c>message</c> object, raw JSON.</summary>
    public ReadOnlySpan<byte> RawJson { get; internal set; }
}

/// <summary><c>content_block_start</c>: a block's index, type and initial value.</summary>
[StructLayout(LayoutKind.Auto)] // Pack fields: these views are embedded and zeroed per event.
public ref struct ContentBlockStartView
{
    /// <summary><c>index</c>.</summary>
    public int Index { get; internal set; }

    /// <summary><c>content_block.type</c>.</summary>
    public ContentBlockType Type { get; internal set; }

    /// <summary><c>content_block.id</c> (tool_use, server_tool_use, mcp_tool_use).</summary>
    public JsonText Id { get; internal set; }

    /// <summary><c>content_block.name</c> (tool_use, server_tool_use, mcp_tool_use).</summary>
    public JsonText Name { get; internal set; }

    /// <summary><c>content_block.text</c> (text: usually empty at start).</summary>
    public JsonText Text { get; internal set; }

    /// <summary><c>content_block.thinking</c> (thinking).</summary>
    public JsonText Thinking { get; internal set; }

    /// <summary><c>content_block.signature</c> (thinking).</summary>
    public JsonText Signature { get; internal set; }

    /// <summary><c>content_block.data</c> (redacted_thinking).</summary>
    public JsonText Data { get; internal set; }

    /// <summary><c>content_block.input</c>, raw JSON (tool blocks; <c>{}</c> at start).</summary>
    public ReadOnlySpan<byte> InputJson { get; internal set; }

    /// <summary>The whole <c>content_block</c>, raw JSON: the complete value of blocks that arrive whole (tool results, beta blocks).</summary>
    public ReadOnlySpan<byte> RawJson { get; internal set; }
}

/// <summary><c>content_block_delta</c>: an increment to the block at <see cref="Index"/>.</summary>
[StructLayout(LayoutKind.Auto)] // Pack fields: these views are embedded and zeroed per event.
public ref struct DeltaView
{
    /// <summary><c>index</c>.</summary>
    public int Index { get; internal set; }

    /// <summary>The delta's kind.</summary>
    public DeltaKind Kind { get; internal set; }

    /// <summary><c>delta.type</c> as sent.</summary>
    public JsonText TypeName { get; internal set; }

    /// <summary><c>text_delta.text</c>.</summary>
    public JsonText Text { get; internal set; }

    /// <summary><c>input_json_delta.partial_json</c>: a fragment of the tool input's JSON text (append, parse at the end).</summary>
    public JsonText PartialJson { get; internal set; }

    /// <summary><c>thinking_delta.thinking</c>.</summary>
    public JsonText Thinking { get; internal set; }

    /// <summary><c>signature_delta.signature</c>.</summary>
    public JsonText Signature { get; internal set; }

    /// <summary><c>citations_delta.citation</c>, raw JSON.</summary>
    public ReadOnlySpan<byte> CitationJson { get; internal set; }

    /// <summary>Beta <c>compaction_delta.content</c>.</summary>
    public JsonText CompactionContent { get; internal set; }

    /// <summary>Beta <c>compaction_delta.encrypted_content</c>.</summary>
    public JsonText EncryptedContent { get; internal set; }

    /// <summary>The whole <c>delta</c> object, raw JSON.</summary>
    public ReadOnlySpan<byte> RawJson { get; internal set; }

    /// <summary>Set by the canonical fast path, which sets every field it may have set before (see <c>AnthropicEventDecoder.Decode</c>).</summary>
    internal bool IsCanonical;

    /// <summary>
    /// The text-like payload of this delta, whatever its kind: text, partial_json, thinking or
    /// signature (default for the others).
    /// </summary>
    public readonly JsonText Payload => Kind switch
    {
        DeltaKind.Text => Text,
        DeltaKind.InputJson => PartialJson,
        DeltaKind.Thinking => Thinking,
        DeltaKind.Signature => Signature,
        _ => default,
    };
}

/// <summary><c>message_delta</c>: stop fields and cumulative usage.</summary>
[StructLayout(LayoutKind.Auto)] // Pack fields: these views are embedded and zeroed per event.
public ref struct MessageDeltaView
{
    /// <summary><c>delta.stop_reason</c>, or null when absent or null.</summary>
    public StopReason? StopReason { get; internal set; }

    /// <summary><c>delta.stop_sequence</c>: the matched stop sequence.</summary>
    public JsonText StopSequence { get; internal set; }

    /// <summary><c>delta.stop_details</c>, raw JSON; empty when absent or null.</summary>
    public ReadOnlySpan<byte> StopDetailsJson { get; internal set; }

    /// <summary><c>delta.stop_details.type</c> (<c>refusal</c>).</summary>
    public JsonText StopDetailsType { get; internal set; }

    /// <summary><c>delta.stop_details.category</c>.</summary>
    public JsonText StopDetailsCategory { get; internal set; }

    /// <summary><c>delta.stop_details.explanation</c>.</summary>
    public JsonText StopDetailsExplanation { get; internal set; }

    /// <summary><c>delta.container</c>, raw JSON; empty when absent or null.</summary>
    public ReadOnlySpan<byte> ContainerJson { get; internal set; }

    /// <summary><c>usage</c>: cumulative totals.</summary>
    /// <remarks>A reference into this event: read it in place (no copy); valid as long as the event.</remarks>
    [UnscopedRef]
    public readonly ref readonly UsageView Usage => ref UsageField;

#pragma warning disable SA1401, CA1051 // Filled in place by the decoder.
    internal UsageView UsageField;
#pragma warning restore SA1401, CA1051
}

/// <summary><c>error</c>: an error the API reported mid-stream.</summary>
[StructLayout(LayoutKind.Auto)] // Pack fields: these views are embedded and zeroed per event.
public ref struct ErrorView
{
    /// <summary><c>error.type</c>.</summary>
    public ErrorType Type { get; internal set; }

    /// <summary><c>error.message</c>.</summary>
    public JsonText Message { get; internal set; }

    /// <summary><c>request_id</c>.</summary>
    public JsonText RequestId { get; internal set; }

    /// <summary><c>error.details</c>, raw JSON; empty when absent or null.</summary>
    public ReadOnlySpan<byte> DetailsJson { get; internal set; }
}

/// <summary>
/// One decoded Messages streaming event: a view over the SSE event's bytes. Read the view that
/// matches <see cref="Kind"/>; the others are empty.
/// </summary>
/// <remarks>Valid until the next read from the stream it came from. Copy what you keep.</remarks>
[StructLayout(LayoutKind.Auto)] // Pack fields: these views are embedded and zeroed per event.
public ref struct AnthropicEvent
{
    /// <summary>The event's kind.</summary>
    public AnthropicEventKind Kind { get; internal set; }

    /// <summary>The SSE event name (UTF-8).</summary>
    public ReadOnlySpan<byte> EventName { get; internal set; }

    /// <summary>The SSE data (UTF-8 JSON).</summary>
    public ReadOnlySpan<byte> Data { get; internal set; }

    /// <summary>The ordinal of the SSE event in the stream, from 1.</summary>
    public long EventNumber { get; internal set; }

    /// <summary>The offset in the stream of the event's first byte.</summary>
    public long StreamOffset { get; internal set; }

    /// <summary><c>index</c> of <c>content_block_start</c>, <c>content_block_delta</c> and <c>content_block_stop</c>; -1 otherwise.</summary>
    public int Index { get; internal set; }

    /// <summary>For <see cref="AnthropicEventKind.MessageStart"/>.</summary>
    /// <remarks>A reference into this event: read it in place (no copy); valid as long as the event.</remarks>
    [UnscopedRef]
    public readonly ref readonly MessageStartView MessageStart => ref MessageStartField;

#pragma warning disable SA1401, CA1051 // Filled in place by the decoder.
    internal MessageStartView MessageStartField;
#pragma warning restore SA1401, CA1051

    /// <summary>For <see cref="AnthropicEventKind.ContentBlockStart"/>.</summary>
    /// <remarks>A reference into this event: read it in place (no copy); valid as long as the event.</remarks>
    [UnscopedRef]
    public readonly ref readonly ContentBlockStartView ContentBlockStart => ref ContentBlockStartField;

#pragma warning disable SA1401, CA1051 // Filled in place by the decoder.
    internal ContentBlockStartView ContentBlockStartField;
#pragma warning restore SA1401, CA1051

    /// <summary>For <see cref="AnthropicEventKind.ContentBlockDelta"/>.</summary>
    /// <remarks>A reference into this event: read it in place (no copy); valid as long as the event.</remarks>
    [UnscopedRef]
    public readonly ref readonly DeltaView Delta => ref DeltaField;

#pragma warning disable SA1401, CA1051 // Filled in place by the decoder.
    internal DeltaView DeltaField;
#pragma warning restore SA1401, CA1051

    /// <summary>For <see cref="AnthropicEventKind.MessageDelta"/>.</summary>
    /// <remarks>A reference into this event: read it in place (no copy); valid as long as the event.</remarks>
    [UnscopedRef]
    public readonly ref readonly MessageDeltaView MessageDelta => ref MessageDeltaField;

#pragma warning disable SA1401, CA1051 // Filled in place by the decoder.
    internal MessageDeltaView MessageDeltaField;
#pragma warning restore SA1401, CA1051

    /// <summary>For <see cref="AnthropicEventKind.Error"/>.</summary>
    /// <remarks>A reference into this event: read it in place (no copy); valid as long as the event.</remarks>
    [UnscopedRef]
    public readonly ref readonly ErrorView Error => ref ErrorField;

#pragma warning disable SA1401, CA1051 // Filled in place by the decoder.
    internal ErrorView ErrorField;
#pragma warning restore SA1401, CA1051
}
