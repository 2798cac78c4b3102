using System;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace SseCore.Anthropic;

/// <summary>
/// A top-level property of a tool's input object: its name and the raw UTF-8 JSON of its value
/// (whole for a completed property, as far as it arrived for the one being written).
/// </summary>
/// <remarks>A view into the <see cref="StreamingToolInput"/> it came from: valid until that input grows or is disposed.</remarks>
[StructLayout(LayoutKind.Auto)]
public readonly ref struct ToolInputProperty
{
    internal ToolInputProperty(JsonText name, ReadOnlySpan<byte> valueJson)
    {
        Name = name;
        ValueJson = valueJson;
    }

    /// <summary>The property name as on the wire (bytes between the quotes; unescape with <see cref="JsonText.CopyUnescaped"/> or compare with <see cref="JsonText.ValueEquals"/>).</summary>
    public JsonText Name { get; }

    /// <summary>
    /// The value's JSON text, UTF-8: the whole value for a completed property; for the property
    /// being written, what arrived of it (empty before its first byte).
    /// </summary>
    public ReadOnlySpan<byte> ValueJson { get; }

    /// <summary>The value's kind, told by its first byte; <see cref="JsonValueKind.Undefined"/> before it arrives.</summary>
    public JsonValueKind ValueKind => ValueJson.IsEmpty ? JsonValueKind.Undefined : ValueJson[0] switch
    {
        (byte)'{' => JsonValueKind.Object,
        (byte)'[' => JsonValueKind.Array,
        (byte)'"' => JsonValueKind.String,
        (byte)'t' => JsonValueKind.True,
        (byte)'f' => JsonValueKind.False,
        (byte)'n' => JsonValueKind.Null,
        _ => JsonValueKind.Number,
    };
}
