using System;
using System.Text.Json;
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>
/// Decodes SSE events into <see cref="AnthropicEvent"/> views: one <see cref="Utf8JsonReader"/>
/// pass over each event's data, no DOM, no strings, nothing allocated in steady state.
/// </summary>
/// <remarks>
/// <para>
/// Dispatch is on the SSE event name, compared as bytes, as every official SDK does. Inside an
/// event, properties are read in whatever order they come (the API's key order is not stable),
/// unknown properties are skipped and whitespace is tolerated. An unknown event name, block type
/// or delta type is surfaced (as <see cref="AnthropicEventKind.Unknown"/>,
/// <see cref="ContentBlockTypeKind.Unknown"/>, <see cref="DeltaKind.Unknown"/>) with its raw JSON:
/// never dropped, never an error.
/// </para>
/// <para>
/// Data that is not what the protocol says — malformed JSON, a known field of the wrong type, a
/// missing <c>index</c> — throws <see cref="AnthropicProtocolException"/> naming the event type,
/// its ordinal and its byte offset. One decoder per stream; not thread-safe.
/// </para>
/// </remarks>
public sealed class AnthropicEventDecoder
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 256 };

    private readonly StringCache _strings = new();
    private byte[] _scratch = [];

    /// <summary>Decodes one SSE event.</summary>
    /// <param name="sseEvent">The event, as read from the stream.</param>
    /// <returns>The decoded view, valid as long as <paramref name="sseEvent"/>.</returns>
    /// <exception cref="AnthropicProtocolException">The data is not what the protocol says for this event type.</exception>
    public AnthropicEvent Decode(SseEvent sseEvent)
    {
        AnthropicEvent e = default;
        Decode(sseEvent, ref e);
        return e;
    }

    /// <summary>
    /// Decodes one SSE event into <paramref name="result"/>, overwriting all of it: the same as
    /// <see cref="Decode(SseEvent)"/>, written in place. The event is a large struct (every view is
    /// embedded), so a hot loop that reuses one local saves a copy of it per event.
    /// </summary>
    /// <param name="sseEvent">The event, as read from the stream.</param>
    /// <param name="result">The decoded view, valid as long as <paramref name="sseEvent"/>.</param>
    /// <exception cref="AnthropicProtocolException">The data is not what the protocol says for this event type.</exception>
    public void Decode(in SseEvent sseEvent, ref AnthropicEvent result)
    {
        ReadOnlySpan<byte> name = sseEvent.EventType;
        ReadOnlySpan<byte> data = sseEvent.Data;
        // Fields set one by one, in place: an object initializer would build a temporary and copy it.
        // Only the view the previous decode filled (the one its Kind names) needs clearing: the
        // event is large and mostly empty, and zeroing all of it per event is measurable.
        // A canonical delta after a canonical delta (most of a stream) overwrites every field the
        // previous one set, so its view is cleared only if this event turns out to be another.
        ref AnthropicEvent e = ref result;
        bool canonicalBefore = e.Kind == AnthropicEventKind.ContentBlockDelta && e.DeltaField.IsCanonical;
        if (!canonicalBefore)
        {
            ClearView(ref e);
        }

        e.EventName = name;
        e.Data = data;
        e.EventNumber = sseEvent.EventNumber;
        e.StreamOffset = sseEvent.StreamOffset;
        e.Index = -1;
        e.Kind = Classify(name);

        // Nearly every event of a stream is a delta in the API's own compact layout: read that
        // shape by comparing bytes, and give anything else (spaces, another key order, an escape
        // the scan does not vouch for) to the general reader below, which decides.
        if (e.Kind == AnthropicEventKind.ContentBlockDelta && CanonicalDelta.TryDecode(data, ref e))
        {
            return;
        }

        if (canonicalBefore)
        {
            e.DeltaField = default;
        }

        if (e.Kind == AnthropicEventKind.Unknown)
        {
            return;
        }

        var reader = new Utf8JsonReader(data, ReaderOptions);
        try
        {
            ExpectStartObject(ref reader, "the event data");
            switch (e.Kind)
            {
                case AnthropicEventKind.MessageStart:
                    DecodeMessageStart(ref reader, data, ref e);
                    break;
                case AnthropicEventKind.ContentBlockStart:
                    DecodeContentBlockStart(ref reader, data, ref e);
                    break;
                case AnthropicEventKind.ContentBlockDelta:
                    DecodeDelta(ref reader, data, ref e);
                    break;
                case AnthropicEventKind.ContentBlockStop:
                    e.Index = DecodeIndexOnly(ref reader);
                    break;
                case AnthropicEventKind.MessageDelta:
                    DecodeMessageDelta(ref reader, data, ref e);
                    break;
                case AnthropicEventKind.Error:
                    DecodeError(ref reader, data, ref e);
                    break;
                default:
                    // message_stop and ping carry nothing we need; the data must still be JSON.
                    SkipObject(ref reader);
                    break;
            }

            // Nothing may follow the object but whitespace.
            if (reader.Read())
            {
                throw new ProtocolError("unexpected data after the JSON object");
            }
        }
        catch (JsonException ex)
        {
            throw new AnthropicProtocolException(Utf8Util.GetString(name), sseEvent.EventNumber, sseEvent.StreamOffset, ex.BytePositionInLine ?? reader.BytesConsumed, "malformed JSON: " + ex.Message, ex);
        }
        catch (ProtocolError ex)
        {
            throw new AnthropicProtocolException(Utf8Util.GetString(name), sseEvent.EventNumber, sseEvent.StreamOffset, reader.TokenStartIndex, ex.Message, null);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader throws this for a value of the wrong token type.
            throw new AnthropicProtocolException(Utf8Util.GetString(name), sseEvent.EventNumber, sseEvent.StreamOffset, reader.TokenStartIndex, ex.Message, ex);
        }

    }

    /// <summary>Empties the view an earlier decode filled; every other view is empty already (a decode fills only its Kind's).</summary>
    private static void ClearView(scoped ref AnthropicEvent e)
    {
        switch (e.Kind)
        {
            case AnthropicEventKind.MessageStart:
                e.MessageStartField = default;
                break;
            case AnthropicEventKind.ContentBlockStart:
                e.ContentBlockStartField = default;
                break;
            case AnthropicEventKind.ContentBlockDelta:
                e.DeltaField = default;
                break;
            case AnthropicEventKind.MessageDelta:
                e.MessageDeltaField = default;
                break;
            case AnthropicEventKind.Error:
                e.ErrorField = default;
                break;
        }
    }

    /// <summary>
    /// Unescapes <paramref name="text"/> into this decoder's scratch buffer (or returns it as is
    /// when it has no escapes). The span is valid until the next call.
    /// </summary>
    /// <param name="text">A value from a view this decoder produced.</param>
    /// <returns>The value as UTF-8.</returns>
    public ReadOnlySpan<byte> Unescape(JsonText text)
    {
        if (text.TryGetUnescaped(out ReadOnlySpan<byte> utf8))
        {
            return utf8;
        }

        // Owned, not rented: the decoder is not disposable, so a rental would never go back.
        if (_scratch.Length < text.MaxUnescapedLength)
        {
            _scratch = new byte[Math.Max(text.MaxUnescapedLength, _scratch.Length * 2)];
        }

        int n = text.CopyUnescaped(_scratch);
        return _scratch.AsSpan(0, n);
    }

    /// <summary>Maps an SSE event name to its kind.</summary>
    /// <param name="eventName">The SSE event name as UTF-8.</param>
    /// <returns>The kind; <see cref="AnthropicEventKind.Unknown"/> for any other name.</returns>
    public static AnthropicEventKind Classify(ReadOnlySpan<byte> eventName)
    {
        if (eventName.SequenceEqual("content_block_delta"u8))
        {
            return AnthropicEventKind.ContentBlockDelta;
        }

        if (eventName.SequenceEqual("content_block_start"u8))
        {
            return AnthropicEventKind.ContentBlockStart;
        }

        if (eventName.SequenceEqual("content_block_stop"u8))
        {
            return AnthropicEventKind.ContentBlockStop;
        }

        if (eventName.SequenceEqual("ping"u8))
        {
            return AnthropicEventKind.Ping;
        }

        if (eventName.SequenceEqual("message_start"u8))
        {
            return AnthropicEventKind.MessageStart;
        }

        if (eventName.SequenceEqual("message_delta"u8))
        {
            return AnthropicEventKind.MessageDelta;
        }

        if (eventName.SequenceEqual("message_stop"u8))
        {
            return AnthropicEventKind.MessageStop;
        }

        return eventName.SequenceEqual("error"u8) ? AnthropicEventKind.Error : AnthropicEventKind.Unknown;
    }

    private void DecodeMessageStart(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data, scoped ref AnthropicEvent e)
    {
        bool sawMessage = false;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                int start = (int)reader.TokenStartIndex;
                ExpectStartObject(ref reader, "message");
                ref MessageStartView m = ref e.MessageStartField;
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("id"u8))
                    {
                        m.Id = ReadString(ref reader, "message.id");
                    }
                    else if (reader.ValueTextEquals("model"u8))
                    {
                        m.Model = ReadString(ref reader, "message.model");
                    }
                    else if (reader.ValueTextEquals("role"u8))
                    {
                        m.Role = ReadString(ref reader, "message.role");
                    }
                    else if (reader.ValueTextEquals("usage"u8))
                    {
                        ReadUsage(ref reader, data, ref m.UsageField);
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }

                m.RawJson = data.Slice(start, (int)reader.BytesConsumed - start);
                sawMessage = true;
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (!sawMessage)
        {
            throw new ProtocolError("message_start has no \"message\" object");
        }
    }

    private void DecodeContentBlockStart(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data, scoped ref AnthropicEvent e)
    {
        int? index = null;
        bool sawType = false;
        ref ContentBlockStartView b = ref e.ContentBlockStartField;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("index"u8))
            {
                index = ReadIndex(ref reader);
            }
            else if (reader.ValueTextEquals("content_block"u8))
            {
                reader.Read();
                int start = (int)reader.TokenStartIndex;
                ExpectStartObject(ref reader, "content_block");
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("type"u8))
                    {
                        JsonText type = ReadString(ref reader, "content_block.type");
                        if (!type.HasValue)
                        {
                            throw new ProtocolError("content_block.type is null");
                        }

                        b.Type = ContentBlockType.FromUtf8(Unescape(type), _strings);
                        sawType = true;
                    }
                    else if (reader.ValueTextEquals("id"u8))
                    {
                        b.Id = ReadString(ref reader, "content_block.id");
                    }
                    else if (reader.ValueTextEquals("name"u8))
                    {
                        b.Name = ReadString(ref reader, "content_block.name");
                    }
                    else if (reader.ValueTextEquals("text"u8))
                    {
                        b.Text = ReadString(ref reader, "content_block.text");
                    }
                    else if (reader.ValueTextEquals("thinking"u8))
                    {
                        b.Thinking = ReadString(ref reader, "content_block.thinking");
                    }
                    else if (reader.ValueTextEquals("signature"u8))
                    {
                        b.Signature = ReadString(ref reader, "content_block.signature");
                    }
                    else if (reader.ValueTextEquals("data"u8))
                    {
                        b.Data = ReadString(ref reader, "content_block.data");
                    }
                    else if (reader.ValueTextEquals("input"u8))
                    {
                        b.InputJson = ReadRawOrNull(ref reader, data);
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }

                b.RawJson = data.Slice(start, (int)reader.BytesConsumed - start);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (index is null)
        {
            throw new ProtocolError("content_block_start has no \"index\"");
        }

        if (!sawType)
        {
            throw new ProtocolError("content_block_start has no \"content_block\" with a \"type\"");
        }

        b.Index = index.Value;
        e.Index = index.Value;
    }

    private void DecodeDelta(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data, scoped ref AnthropicEvent e)
    {
        int? index = null;
        bool sawDelta = false;
        ref DeltaView d = ref e.DeltaField;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("index"u8))
            {
                index = ReadIndex(ref reader);
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                int start = (int)reader.TokenStartIndex;
                ExpectStartObject(ref reader, "delta");

                // One pass: every field is captured where it stands; "type" may come last.
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("type"u8))
                    {
                        d.TypeName = ReadString(ref reader, "delta.type");
                    }
                    else if (reader.ValueTextEquals("text"u8))
                    {
                        d.Text = ReadString(ref reader, "delta.text");
                    }
                    else if (reader.ValueTextEquals("partial_json"u8))
                    {
                        d.PartialJson = ReadString(ref reader, "delta.partial_json");
                    }
                    else if (reader.ValueTextEquals("thinking"u8))
                    {
                        d.Thinking = ReadString(ref reader, "delta.thinking");
                    }
                    else if (reader.ValueTextEquals("signature"u8))
                    {
                        d.Signature = ReadString(ref reader, "delta.signature");
                    }
                    else if (reader.ValueTextEquals("citation"u8))
                    {
                        d.CitationJson = ReadRawOrNull(ref reader, data);
                    }
                    else if (reader.ValueTextEquals("content"u8))
                    {
                        d.CompactionContent = ReadString(ref reader, "delta.content");
                    }
                    else if (reader.ValueTextEquals("encrypted_content"u8))
                    {
                        d.EncryptedContent = ReadString(ref reader, "delta.encrypted_content");
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }

                d.RawJson = data.Slice(start, (int)reader.BytesConsumed - start);
                sawDelta = true;
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (index is null)
        {
            throw new ProtocolError("content_block_delta has no \"index\"");
        }

        if (!sawDelta || !d.TypeName.HasValue)
        {
            throw new ProtocolError("content_block_delta has no \"delta\" with a \"type\"");
        }

        d.Index = index.Value;
        d.Kind = ClassifyDelta(Unescape(d.TypeName));
        switch (d.Kind)
        {
            case DeltaKind.Text when !d.Text.HasValue:
                throw new ProtocolError("text_delta has no \"text\" string");
            case DeltaKind.InputJson when !d.PartialJson.HasValue:
                throw new ProtocolError("input_json_delta has no \"partial_json\" string");
            case DeltaKind.Thinking when !d.Thinking.HasValue:
                throw new ProtocolError("thinking_delta has no \"thinking\" string");
            case DeltaKind.Signature when !d.Signature.HasValue:
                throw new ProtocolError("signature_delta has no \"signature\" string");
            case DeltaKind.Citations when d.CitationJson.IsEmpty:
                throw new ProtocolError("citations_delta has no \"citation\"");
        }

        e.Index = index.Value;
    }

    /// <summary>Maps a delta type name (unescaped, as every type name here is) to its kind.</summary>
    private static DeltaKind ClassifyDelta(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("text_delta"u8) ? DeltaKind.Text
        : type.SequenceEqual("input_json_delta"u8) ? DeltaKind.InputJson
        : type.SequenceEqual("thinking_delta"u8) ? DeltaKind.Thinking
        : type.SequenceEqual("signature_delta"u8) ? DeltaKind.Signature
        : type.SequenceEqual("citations_delta"u8) ? DeltaKind.Citations
        : type.SequenceEqual("compaction_delta"u8) ? DeltaKind.Compaction
        : DeltaKind.Unknown;

    private void DecodeMessageDelta(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data, scoped ref AnthropicEvent e)
    {
        ref MessageDeltaView m = ref e.MessageDeltaField;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                ExpectStartObject(ref reader, "delta");
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("stop_reason"u8))
                    {
                        JsonText reason = ReadString(ref reader, "delta.stop_reason");
                        m.StopReason = reason.HasValue ? StopReason.FromUtf8(Unescape(reason), _strings) : null;
                    }
                    else if (reader.ValueTextEquals("stop_sequence"u8))
                    {
                        m.StopSequence = ReadString(ref reader, "delta.stop_sequence");
                    }
                    else if (reader.ValueTextEquals("stop_details"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.Null)
                        {
                            continue;
                        }

                        int start = (int)reader.TokenStartIndex;
                        ExpectStartObject(ref reader, "delta.stop_details");
                        while (NextProperty(ref reader))
                        {
                            if (reader.ValueTextEquals("type"u8))
                            {
                                m.StopDetailsType = ReadString(ref reader, "stop_details.type");
                            }
                            else if (reader.ValueTextEquals("category"u8))
                            {
                                m.StopDetailsCategory = ReadString(ref reader, "stop_details.category");
                            }
                            else if (reader.ValueTextEquals("explanation"u8))
                            {
                                m.StopDetailsExplanation = ReadString(ref reader, "stop_details.explanation");
                            }
                            else
                            {
                                SkipValue(ref reader);
                            }
                        }

                        m.StopDetailsJson = data.Slice(start, (int)reader.BytesConsumed - start);
                    }
                    else if (reader.ValueTextEquals("container"u8))
                    {
                        m.ContainerJson = ReadRawOrNull(ref reader, data);
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                ReadUsage(ref reader, data, ref m.UsageField);
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    private void DecodeError(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data, scoped ref AnthropicEvent e)
    {
        ref ErrorView err = ref e.ErrorField;
        bool sawType = false;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                ExpectStartObject(ref reader, "error");
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("type"u8))
                    {
                        JsonText type = ReadString(ref reader, "error.type");
                        if (type.HasValue)
                        {
                            err.Type = ErrorType.FromUtf8(Unescape(type), _strings);
                            sawType = true;
                        }
                    }
                    else if (reader.ValueTextEquals("message"u8))
                    {
                        err.Message = ReadString(ref reader, "error.message");
                    }
                    else if (reader.ValueTextEquals("details"u8))
                    {
                        err.DetailsJson = ReadRawOrNull(ref reader, data);
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else if (reader.ValueTextEquals("request_id"u8))
            {
                err.RequestId = ReadString(ref reader, "request_id");
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (!sawType)
        {
            throw new ProtocolError("error has no \"error\" object with a \"type\"");
        }
    }

    private static int DecodeIndexOnly(scoped ref Utf8JsonReader reader)
    {
        int? index = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("index"u8))
            {
                index = ReadIndex(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return index ?? throw new ProtocolError("content_block_stop has no \"index\"");
    }

    private static void ReadUsage(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data, ref UsageView u)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        int start = (int)reader.TokenStartIndex;
        ExpectStartObject(ref reader, "usage");
        u.IsPresent = true;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                u.InputTokens = ReadCount(ref reader, "usage.input_tokens");
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                u.OutputTokens = ReadCount(ref reader, "usage.output_tokens");
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                u.CacheCreationInputTokens = ReadCount(ref reader, "usage.cache_creation_input_tokens");
            }
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8))
            {
                u.CacheReadInputTokens = ReadCount(ref reader, "usage.cache_read_input_tokens");
            }
            else if (reader.ValueTextEquals("cache_creation"u8))
            {
                ReadCounts(ref reader, "usage.cache_creation", "ephemeral_5m_input_tokens"u8, out int? fiveMinutes, "ephemeral_1h_input_tokens"u8, out int? oneHour);
                u.CacheCreationEphemeral5mInputTokens = fiveMinutes;
                u.CacheCreationEphemeral1hInputTokens = oneHour;
            }
            else if (reader.ValueTextEquals("server_tool_use"u8))
            {
                ReadCounts(ref reader, "usage.server_tool_use", "web_search_requests"u8, out int? searches, "web_fetch_requests"u8, out int? fetches);
                u.WebSearchRequests = searches;
                u.WebFetchRequests = fetches;
            }
            else if (reader.ValueTextEquals("output_tokens_details"u8))
            {
                ReadCounts(ref reader, "usage.output_tokens_details", "thinking_tokens"u8, out int? thinking, default, out _);
                u.ThinkingTokens = thinking;
            }
            else if (reader.ValueTextEquals("service_tier"u8))
            {
                u.ServiceTier = ReadString(ref reader, "usage.service_tier");
            }
            else if (reader.ValueTextEquals("inference_geo"u8))
            {
                u.InferenceGeo = ReadString(ref reader, "usage.inference_geo");
            }
            else if (reader.ValueTextEquals("speed"u8))
            {
                u.Speed = ReadString(ref reader, "usage.speed");
            }
            else if (reader.ValueTextEquals("iterations"u8))
            {
                u.IterationsJson = ReadRawOrNull(ref reader, data);
            }
            else if (reader.ValueTextEquals("fallback_credit"u8))
            {
                u.FallbackCreditJson = ReadRawOrNull(ref reader, data);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        u.RawJson = data.Slice(start, (int)reader.BytesConsumed - start);
    }

    // ---- reader helpers -------------------------------------------------------------------

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(scoped ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new ProtocolError("the JSON ends early");
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            return false;
        }

        return reader.TokenType == JsonTokenType.PropertyName ? true : throw new ProtocolError("expected a property name");
    }

    private static void ExpectStartObject(scoped ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType == JsonTokenType.None && !reader.Read())
        {
            throw new ProtocolError(what + " is empty");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ProtocolError(what + " must be a JSON object, not " + reader.TokenType);
        }
    }

    /// <summary>Reads the value after a property name: true when it is an object (positioned on its start), false when null.</summary>
    private static bool BeginOptionalObject(scoped ref Utf8JsonReader reader, string what)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        ExpectStartObject(ref reader, what);
        return true;
    }

    private static void SkipValue(scoped ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static void SkipObject(scoped ref Utf8JsonReader reader) => reader.Skip();

    private static JsonText ReadString(scoped ref Utf8JsonReader reader, string what)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => new JsonText(reader.ValueSpan, reader.ValueIsEscaped),
            JsonTokenType.Null => default,
            _ => throw new ProtocolError(what + " must be a string, not " + reader.TokenType),
        };
    }

    private static int? ReadCount(scoped ref Utf8JsonReader reader, string what, ReadOnlySpan<byte> field = default)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int value) || value < 0)
        {
            // The field's name is composed here, on the error path only.
            throw new ProtocolError((field.IsEmpty ? what : what + "." + Utf8Util.GetString(field)) + " must be a non-negative integer");
        }

        return value;
    }

    /// <summary>Reads an optional object of up to two counts (usage's nested objects); others are skipped.</summary>
    private static void ReadCounts(scoped ref Utf8JsonReader reader, string what, ReadOnlySpan<byte> name1, out int? value1, ReadOnlySpan<byte> name2, out int? value2)
    {
        value1 = null;
        value2 = null;
        if (!BeginOptionalObject(ref reader, what))
        {
            return;
        }

        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(name1))
            {
                value1 = ReadCount(ref reader, what, name1);
            }
            else if (!name2.IsEmpty && reader.ValueTextEquals(name2))
            {
                value2 = ReadCount(ref reader, what, name2);
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    private static int ReadIndex(scoped ref Utf8JsonReader reader) =>
        ReadCount(ref reader, "index") ?? throw new ProtocolError("index must be a non-negative integer, not null");

    private static ReadOnlySpan<byte> ReadRawOrNull(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }

        int start = (int)reader.TokenStartIndex;
        reader.Skip();
        return data.Slice(start, (int)reader.BytesConsumed - start);
    }

    /// <summary>A protocol violation found while reading; turned into <see cref="AnthropicProtocolException"/> with position.</summary>
    private sealed class ProtocolError : Exception
    {
        public ProtocolError(string message)
            : base(message)
        {
        }
    }
}
