using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using NetSse = System.Net.ServerSentEvents;

namespace SseCore.Benchmarks;

/// <summary>
/// The decoding peers: System.Net.ServerSentEvents' byte overload (its cheapest entry point: the
/// data as a span, no string) with each of the three ways .NET code decodes the JSON. Each one
/// extracts what <see cref="MessageWorkloads.DecodeSpan"/> hands out: every event, each text
/// delta's text and each <c>input_json_delta</c>'s <c>partial_json</c>, unescaped. The peers are
/// written as a competent engineer would write them on top of SseParser, not as strawmen.
/// </summary>
internal static class DecodePeers
{
    /// <summary>
    /// SseParser plus a hand-written <see cref="Utf8JsonReader"/> decoder in the item parser
    /// delegate (<see cref="HandWrittenDecoder{TSink}"/>): one pass, properties in any order, text
    /// as UTF-8 (unescaped into reused scratch only when it has escapes), no strings but the
    /// event type SseParser itself allocates.
    /// </summary>
    public static TSink Utf8JsonReader<TSink>(Stream stream, TSink sink)
        where TSink : ITextSink
    {
        var decoder = new HandWrittenDecoder<TSink>(sink);
        foreach (NetSse.SseItem<PeerEvent> item in NetSse.SseParser.Create(stream, decoder.Decode).Enumerate())
        {
            decoder.Sink.Event();
            _ = item.Data;
        }

        return decoder.Sink;
    }

    /// <summary>
    /// SseParser plus <see cref="JsonSerializer"/> with a source-generated
    /// <see cref="PeerJsonContext"/>: one small record per event, deserialized from the data span,
    /// text as a string.
    /// </summary>
    public static TSink JsonSerializerSourceGen<TSink>(Stream stream, TSink sink)
        where TSink : ITextSink
    {
        foreach (NetSse.SseItem<StreamEventRecord?> item in NetSse.SseParser.Create(stream, static (_, data) => JsonSerializer.Deserialize(data, PeerJsonContext.Default.StreamEventRecord)).Enumerate())
        {
            sink.Event();
            if (item.Data is { Type: "content_block_delta", Delta: { } delta })
            {
                if (delta.Type == "text_delta")
                {
                    sink.Add(delta.Text!);
                }
                else if (delta.Type == "input_json_delta")
                {
                    sink.AddJson(delta.PartialJson!);
                }
            }
        }

        return sink;
    }

    /// <summary>
    /// SseParser plus a <see cref="JsonDocument"/> per event, parsed from the data span
    /// (<see cref="JsonDocument.ParseValue"/>, no intermediate string) and disposed in the
    /// delegate; the text is taken out as a string.
    /// </summary>
    public static TSink JsonDocument<TSink>(Stream stream, TSink sink)
        where TSink : ITextSink
    {
        foreach (NetSse.SseItem<PeerDocumentEvent> item in NetSse.SseParser.Create(stream, static (_, data) => ParseDocument(data)).Enumerate())
        {
            sink.Event();
            PeerDocumentEvent e = item.Data;
            if (e.Kind == PeerDeltaKind.Text)
            {
                sink.Add(e.Value!);
            }
            else if (e.Kind == PeerDeltaKind.InputJson)
            {
                sink.AddJson(e.Value!);
            }
        }

        return sink;
    }

    private static PeerDocumentEvent ParseDocument(ReadOnlySpan<byte> data)
    {
        var reader = new System.Text.Json.Utf8JsonReader(data);
        using JsonDocument document = System.Text.Json.JsonDocument.ParseValue(ref reader);
        JsonElement root = document.RootElement;
        if (root.GetProperty("type"u8).ValueEquals("content_block_delta"u8) && root.TryGetProperty("delta"u8, out JsonElement delta))
        {
            JsonElement type = delta.GetProperty("type"u8);
            if (type.ValueEquals("text_delta"u8))
            {
                return new PeerDocumentEvent(PeerDeltaKind.Text, delta.GetProperty("text"u8).GetString());
            }

            if (type.ValueEquals("input_json_delta"u8))
            {
                return new PeerDocumentEvent(PeerDeltaKind.InputJson, delta.GetProperty("partial_json"u8).GetString());
            }
        }

        return default;
    }
}

/// <summary>What the <see cref="JsonDocument"/> peer keeps of an event.</summary>
internal readonly record struct PeerDocumentEvent(PeerDeltaKind Kind, string? Value);

/// <summary>The event kinds the hand-written decoder recognizes (by the JSON <c>type</c>).</summary>
internal enum PeerEventKind : byte
{
    Unknown,
    MessageStart,
    ContentBlockStart,
    ContentBlockDelta,
    ContentBlockStop,
    MessageDelta,
    MessageStop,
    Ping,
    Error,
}

/// <summary>The delta kinds the peers recognize.</summary>
internal enum PeerDeltaKind : byte
{
    None,
    Text,
    InputJson,
    Thinking,
    Signature,
    Other,
}

/// <summary>What the hand-written decoder returns per event (the text went to the sink inside the delegate, while its span was valid).</summary>
internal readonly record struct PeerEvent(PeerEventKind Kind, int Index, PeerDeltaKind DeltaKind, int? OutputTokens);

/// <summary>
/// The hand-written <see cref="Utf8JsonReader"/> decoder of the peer: the item parser delegate.
/// It reads <c>type</c>, <c>index</c>, <c>delta</c> (its <c>type</c>, <c>text</c>,
/// <c>partial_json</c>, <c>stop_reason</c>) and <c>usage.output_tokens</c> in any order, skips
/// everything else, and hands the unescaped text (UTF-8) to the sink.
/// </summary>
internal sealed class HandWrittenDecoder<TSink>(TSink sink)
    where TSink : ITextSink
{
    private byte[] _scratch = new byte[1024];

    public TSink Sink = sink;

    public PeerEvent Decode(string eventType, ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An event's data is not a JSON object.");
        }

        PeerEventKind kind = PeerEventKind.Unknown;
        PeerDeltaKind deltaKind = PeerDeltaKind.None;
        int index = -1;
        int? outputTokens = null;
        ReadOnlySpan<byte> value = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                kind = ClassifyEvent(ref reader);
            }
            else if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                ReadDelta(ref reader, ref deltaKind, ref value);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                outputTokens = ReadOutputTokens(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (deltaKind is PeerDeltaKind.Text or PeerDeltaKind.InputJson)
        {
            if (deltaKind == PeerDeltaKind.Text)
            {
                Sink.Add(value);
            }
            else
            {
                Sink.AddJson(value);
            }
        }

        return new PeerEvent(kind, index, deltaKind, outputTokens);
    }

    private static PeerEventKind ClassifyEvent(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("content_block_delta"u8))
        {
            return PeerEventKind.ContentBlockDelta;
        }

        if (reader.ValueTextEquals("ping"u8))
        {
            return PeerEventKind.Ping;
        }

        if (reader.ValueTextEquals("content_block_start"u8))
        {
            return PeerEventKind.ContentBlockStart;
        }

        if (reader.ValueTextEquals("content_block_stop"u8))
        {
            return PeerEventKind.ContentBlockStop;
        }

        if (reader.ValueTextEquals("message_start"u8))
        {
            return PeerEventKind.MessageStart;
        }

        if (reader.ValueTextEquals("message_delta"u8))
        {
            return PeerEventKind.MessageDelta;
        }

        if (reader.ValueTextEquals("message_stop"u8))
        {
            return PeerEventKind.MessageStop;
        }

        return reader.ValueTextEquals("error"u8) ? PeerEventKind.Error : PeerEventKind.Unknown;
    }

    /// <summary>Reads the <c>delta</c> object; the text is a slice of the data, or unescaped into the reused scratch when it has escapes.</summary>
    private void ReadDelta(ref Utf8JsonReader reader, ref PeerDeltaKind kind, ref ReadOnlySpan<byte> value)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        kind = PeerDeltaKind.Other;
        PeerDeltaKind typed = PeerDeltaKind.Other;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                typed = reader.ValueTextEquals("text_delta"u8) ? PeerDeltaKind.Text
                    : reader.ValueTextEquals("input_json_delta"u8) ? PeerDeltaKind.InputJson
                    : reader.ValueTextEquals("thinking_delta"u8) ? PeerDeltaKind.Thinking
                    : reader.ValueTextEquals("signature_delta"u8) ? PeerDeltaKind.Signature
                    : PeerDeltaKind.Other;
            }
            else if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("partial_json"u8))
            {
                reader.Read();
                if (!reader.ValueIsEscaped)
                {
                    value = reader.ValueSpan;
                }
                else
                {
                    // Unescaping never grows a value.
                    if (_scratch.Length < reader.ValueSpan.Length)
                    {
                        _scratch = new byte[Math.Max(reader.ValueSpan.Length, _scratch.Length * 2)];
                    }

                    value = _scratch.AsSpan(0, reader.CopyString(_scratch));
                }
            }
            else
            {
                // stop_reason, stop_sequence (message_delta), thinking, signature, ...
                reader.Read();
                reader.Skip();
            }
        }

        kind = typed;
    }

    private static int? ReadOutputTokens(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        int? output = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isOutput = reader.ValueTextEquals("output_tokens"u8);
            reader.Read();
            if (isOutput && reader.TokenType == JsonTokenType.Number)
            {
                output = reader.GetInt32();
            }
            else
            {
                reader.Skip();
            }
        }

        return output;
    }
}

/// <summary>The small record the <see cref="JsonSerializer"/> peer deserializes each event into.</summary>
internal sealed record StreamEventRecord(string Type, int? Index, DeltaRecord? Delta, ContentBlockRecord? ContentBlock, MessageRecord? Message, UsageRecord? Usage);

/// <summary>A <c>delta</c>: of a <c>content_block_delta</c> (type, text, partial_json) or of a <c>message_delta</c> (stop_reason, stop_sequence).</summary>
internal sealed record DeltaRecord(string? Type, string? Text, string? PartialJson, string? StopReason, string? StopSequence);

/// <summary>The <c>content_block</c> of a <c>content_block_start</c>.</summary>
internal sealed record ContentBlockRecord(string Type, string? Id, string? Name);

/// <summary>The <c>message</c> of a <c>message_start</c>.</summary>
internal sealed record MessageRecord(string Id, string Model, string Role, UsageRecord? Usage);

/// <summary>Token usage.</summary>
internal sealed record UsageRecord(int? InputTokens, int? OutputTokens);

/// <summary>The source-generated serializer context of the <see cref="JsonSerializer"/> peer.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StreamEventRecord))]
internal sealed partial class PeerJsonContext : JsonSerializerContext;
