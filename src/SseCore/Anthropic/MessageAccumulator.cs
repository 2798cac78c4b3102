using System;
using System.Collections.Generic;
using System.Text.Json;
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>
/// Folds decoded events into the message they describe, without keeping the events: memory
/// grows with the output (text, tool input, citations), not with the number of events.
/// </summary>
/// <remarks>
/// <para>
/// Blocks are routed by <c>index</c>, so interleaved blocks and blocks that never receive their
/// <c>content_block_stop</c> are handled. Text and thinking are appended, the signature is set,
/// citations are appended. Tool input is read as it arrives by a <see cref="StreamingToolInput"/>
/// (<see cref="GetToolInput"/>) and parsed once at its stop, or when the message is taken; input
/// cut short becomes a snapshot flagged as truncated (<see cref="ToolUseBlock.IsInputTruncated"/>). <c>message_delta</c> overwrites stop fields and usage with its
/// cumulative values; fields it omits keep their <c>message_start</c> values.
/// </para>
/// <para>
/// Recoveries, never exceptions: a second <c>message_start</c> is ignored (as the Python SDK
/// does); a delta for an index that never started creates the block its delta implies; an
/// unknown delta is kept raw on its block. Not thread-safe.
/// </para>
/// </remarks>
public sealed class MessageAccumulator : IDisposable
{
    /// <summary>How far past the blocks started so far an index may point (indices are contiguous on the wire).</summary>
    private const int MaxIndexAhead = 1024;

    // The decoder accepts this depth; everything parsed again here must accept it too.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    private readonly List<BlockState?> _blocks = [];
    private readonly Usage _usage = new();
    private string _id = string.Empty;
    private string _model = string.Empty;
    private string _role = "assistant";
    private StopReason? _stopReason;
    private string? _stopSequence;
    private StopDetails? _stopDetails;
    private string? _containerJson;

    /// <summary>Whether <c>message_start</c> arrived.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>Whether <c>message_stop</c> arrived: the message is complete.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>How many events were applied.</summary>
    public long EventCount { get; private set; }

    /// <summary>
    /// Whether any output arrived: a <c>content_block_delta</c>, or a block that started with
    /// content. What a caller may already have shown (see <see cref="AnthropicException.HasReceivedOutput"/>).
    /// </summary>
    public bool HasOutput { get; private set; }

    private bool _disposed;

    /// <summary>
    /// Returns the pooled buffers the text and tool input accumulate in. Messages already taken
    /// are unaffected (they hold their own strings); the accumulator cannot be used afterwards.
    /// Not disposing is safe: the buffers are then collected instead of reused.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (BlockState? block in _blocks)
        {
            block?.Release();
        }

        _blocks.Clear();
    }

    /// <summary>Applies one decoded event.</summary>
    /// <param name="e">The event (any kind; pings, errors and unknown events change nothing but the count).</param>
    /// <exception cref="AnthropicProtocolException">A block event's <c>index</c> is more than 1024 past the blocks started so far (memory would grow with the number, not with the output).</exception>
    /// <exception cref="ObjectDisposedException">The accumulator was disposed.</exception>
    public void Apply(in AnthropicEvent e)
    {
        ThrowIfDisposed();
        if (e.Index > _blocks.Count + MaxIndexAhead)
        {
            throw new AnthropicProtocolException(Utf8Util.GetString(e.EventName), e.EventNumber, e.StreamOffset, 0, $"index {e.Index} is far beyond the {_blocks.Count} blocks started so far", null);
        }

        EventCount++;
        switch (e.Kind)
        {
            case AnthropicEventKind.MessageStart:
                if (!HasStarted)
                {
                    ref readonly MessageStartView m = ref e.MessageStart;
                    HasStarted = true;
                    _id = m.Id.GetString() ?? string.Empty;
                    _model = m.Model.GetString() ?? string.Empty;
                    _role = m.Role.GetString() ?? "assistant";
                    ApplyUsage(in m.Usage);
                }

                break;
            case AnthropicEventKind.ContentBlockStart:
                StartBlock(in e.ContentBlockStart);
                break;
            case AnthropicEventKind.ContentBlockDelta:
                ApplyDelta(in e.Delta);
                break;
            case AnthropicEventKind.ContentBlockStop:
                if (Get(e.Index) is { } stopped)
                {
                    stopped.Stopped = true;
                    stopped.ParseInput();
                }

                break;
            case AnthropicEventKind.MessageDelta:
                ApplyMessageDelta(in e.MessageDelta);
                break;
            case AnthropicEventKind.MessageStop:
                IsComplete = true;
                break;
        }
    }

    /// <summary>
    /// The message as it stands: complete after <c>message_stop</c>, partial before. Each call
    /// builds a new object (strings are decoded from the accumulated UTF-8 once per call).
    /// </summary>
    /// <returns>The message.</returns>
    /// <exception cref="ObjectDisposedException">The accumulator was disposed.</exception>
    public Message GetMessage()
    {
        ThrowIfDisposed();
        var message = new Message
        {
            Id = _id,
            Model = _model,
            Role = _role,
            StopReason = _stopReason,
            StopSequence = _stopSequence,
            StopDetails = _stopDetails,
            ContainerJson = _containerJson,
            Usage = CopyUsage(_usage),
        };

        foreach (BlockState? block in _blocks)
        {
            if (block is not null)
            {
                message.Content.Add(block.ToContentBlock());
            }
        }

        return message;
    }

    /// <summary>
    /// The input of the tool block at <paramref name="index"/> as it streams (<c>tool_use</c>,
    /// <c>server_tool_use</c>, <c>mcp_tool_use</c>): completed properties, the property being
    /// written and its text so far, a snapshot on request. It is what the accumulator itself reads
    /// each <c>input_json_delta</c> into, so looking at it after every delta costs nothing more.
    /// </summary>
    /// <param name="index">The block's <c>index</c>.</param>
    /// <returns>The live input (appended to by <see cref="Apply"/> only; spans it gives are valid until the next <see cref="Apply"/>), or null when no tool block has that index.</returns>
    /// <exception cref="ObjectDisposedException">The accumulator was disposed.</exception>
    public StreamingToolInput? GetToolInput(int index)
    {
        ThrowIfDisposed();
        return Get(index)?.ToolInput;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(MessageAccumulator));
        }
    }

    private BlockState? Get(int index) => index >= 0 && index < _blocks.Count ? _blocks[index] : null;

    private BlockState GetOrCreate(int index, ContentBlockType type)
    {
        while (_blocks.Count <= index)
        {
            _blocks.Add(null);
        }

        return _blocks[index] ??= new BlockState(index, type, null);
    }

    private void StartBlock(in ContentBlockStartView b)
    {
        var state = new BlockState(b.Index, b.Type, Utf8Util.GetString(b.RawJson))
        {
            Id = b.Id.GetString(),
            Name = b.Name.GetString(),
        };

        // The start payload is the block's initial value; deltas append to it.
        HasOutput |= b.Text.RawUtf8.Length + b.Thinking.RawUtf8.Length + b.Data.RawUtf8.Length > 0;
        if (b.Text.HasValue)
        {
            state.Append(b.Text);
        }
        else if (b.Thinking.HasValue)
        {
            state.Append(b.Thinking);
        }
        else if (b.Data.HasValue)
        {
            state.Append(b.Data);
        }

        state.Signature = b.Signature.GetString();
        if (b.Type.Kind == ContentBlockTypeKind.Fallback)
        {
            // Beta fallback: the SDKs relabel the message with the model that answered.
            _model = ReadFallbackTarget(b.RawJson) ?? _model;
        }

        while (_blocks.Count <= b.Index)
        {
            _blocks.Add(null);
        }

        _blocks[b.Index]?.Release();
        _blocks[b.Index] = state;
    }

    private void ApplyDelta(in DeltaView d)
    {
        HasOutput = true;
        BlockState block = Get(d.Index) ?? GetOrCreate(d.Index, d.Kind switch
        {
            DeltaKind.Text or DeltaKind.Citations => ContentBlockType.Text,
            DeltaKind.Thinking or DeltaKind.Signature => ContentBlockType.Thinking,
            DeltaKind.InputJson => ContentBlockType.ToolUse,
            DeltaKind.Compaction => ContentBlockType.Compaction,
            _ => new ContentBlockType("unknown"),
        });

        switch (d.Kind)
        {
            case DeltaKind.Text:
                block.Append(d.Text);
                break;
            case DeltaKind.Thinking:
                block.Append(d.Thinking);
                break;
            case DeltaKind.InputJson:
                block.AppendInput(d.PartialJson);
                break;
            case DeltaKind.Signature:
                block.Signature = d.Signature.GetString();
                break;
            case DeltaKind.Citations:
                (block.Citations ??= []).Add(new Citation(ReadType(d.CitationJson) ?? string.Empty, Utf8Util.GetString(d.CitationJson)));
                break;
            case DeltaKind.Compaction:
                if (d.CompactionContent.HasValue)
                {
                    block.Append(d.CompactionContent);
                    block.HasContent = true;
                }

                if (d.EncryptedContent.HasValue)
                {
                    block.EncryptedContent = d.EncryptedContent.GetString();
                }

                break;
            default:
                (block.UnknownDeltas ??= []).Add(Utf8Util.GetString(d.RawJson));
                break;
        }
    }

    private void ApplyMessageDelta(in MessageDeltaView m)
    {
        if (m.StopReason is { } reason)
        {
            _stopReason = reason;
        }

        if (m.StopSequence.HasValue)
        {
            _stopSequence = m.StopSequence.GetString();
        }

        if (!m.StopDetailsJson.IsEmpty)
        {
            _stopDetails = new StopDetails(Utf8Util.GetString(m.StopDetailsJson))
            {
                Type = m.StopDetailsType.GetString(),
                Category = m.StopDetailsCategory.GetString(),
                Explanation = m.StopDetailsExplanation.GetString(),
            };
        }

        if (!m.ContainerJson.IsEmpty)
        {
            _containerJson = Utf8Util.GetString(m.ContainerJson);
        }

        ApplyUsage(in m.Usage);
    }

    private void ApplyUsage(in UsageView u)
    {
        if (!u.IsPresent)
        {
            return;
        }

        // Cumulative totals: overwrite, never add; absent keeps the earlier value.
        _usage.InputTokens = u.InputTokens ?? _usage.InputTokens;
        _usage.OutputTokens = u.OutputTokens ?? _usage.OutputTokens;
        _usage.CacheCreationInputTokens = u.CacheCreationInputTokens ?? _usage.CacheCreationInputTokens;
        _usage.CacheReadInputTokens = u.CacheReadInputTokens ?? _usage.CacheReadInputTokens;
        _usage.CacheCreationEphemeral5mInputTokens = u.CacheCreationEphemeral5mInputTokens ?? _usage.CacheCreationEphemeral5mInputTokens;
        _usage.CacheCreationEphemeral1hInputTokens = u.CacheCreationEphemeral1hInputTokens ?? _usage.CacheCreationEphemeral1hInputTokens;
        _usage.WebSearchRequests = u.WebSearchRequests ?? _usage.WebSearchRequests;
        _usage.WebFetchRequests = u.WebFetchRequests ?? _usage.WebFetchRequests;
        _usage.ThinkingTokens = u.ThinkingTokens ?? _usage.ThinkingTokens;
        _usage.ServiceTier = u.ServiceTier.GetString() ?? _usage.ServiceTier;
        _usage.InferenceGeo = u.InferenceGeo.GetString() ?? _usage.InferenceGeo;
        _usage.Speed = u.Speed.GetString() ?? _usage.Speed;
        _usage.IterationsJson = u.IterationsJson.IsEmpty ? _usage.IterationsJson : Utf8Util.GetString(u.IterationsJson);
        _usage.FallbackCreditJson = u.FallbackCreditJson.IsEmpty ? _usage.FallbackCreditJson : Utf8Util.GetString(u.FallbackCreditJson);
    }

    private static Usage CopyUsage(Usage u) => new()
    {
        InputTokens = u.InputTokens,
        OutputTokens = u.OutputTokens,
        CacheCreationInputTokens = u.CacheCreationInputTokens,
        CacheReadInputTokens = u.CacheReadInputTokens,
        CacheCreationEphemeral5mInputTokens = u.CacheCreationEphemeral5mInputTokens,
        CacheCreationEphemeral1hInputTokens = u.CacheCreationEphemeral1hInputTokens,
        WebSearchRequests = u.WebSearchRequests,
        WebFetchRequests = u.WebFetchRequests,
        ThinkingTokens = u.ThinkingTokens,
        ServiceTier = u.ServiceTier,
        InferenceGeo = u.InferenceGeo,
        Speed = u.Speed,
        IterationsJson = u.IterationsJson,
        FallbackCreditJson = u.FallbackCreditJson,
    };

    /// <summary>The <c>type</c> of a citation; best effort (the raw JSON is kept whatever happens).</summary>
    private static string? ReadType(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        return reader.Read() && reader.TokenType == JsonTokenType.StartObject && SeekProperty(ref reader, "type"u8, JsonTokenType.String)
            ? ReadStringLenient(ref reader)
            : null;
    }

    /// <summary>A string value, invalid UTF-8 replaced (the reader's GetString would throw).</summary>
    private static string? ReadStringLenient(ref Utf8JsonReader reader) => new JsonText(reader.ValueSpan, reader.ValueIsEscaped).GetString();

    /// <summary>The model a beta <c>fallback</c> block names in <c>to.model</c>.</summary>
    private static string? ReadFallbackTarget(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        reader.Read();
        return SeekProperty(ref reader, "to"u8, JsonTokenType.StartObject) && SeekProperty(ref reader, "model"u8, JsonTokenType.String)
            ? ReadStringLenient(ref reader)
            : null;
    }

    /// <summary>
    /// Moves through the properties of the object the reader is in, to the value of the first
    /// <paramref name="name"/> whose token is <paramref name="token"/>; false at the object's end.
    /// </summary>
    private static bool SeekProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, JsonTokenType token)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Not ValueTextEquals: it throws on an escaped lone surrogate in the name, and these
            // lookups are best effort over JSON the decoder already accepted.
            bool match = new JsonText(reader.ValueSpan, reader.ValueIsEscaped).ValueEquals(name);
            reader.Read();
            if (match && reader.TokenType == token)
            {
                return true;
            }

            reader.Skip();
        }

        return false;
    }

    /// <summary>What one block accumulated: UTF-8 content plus its few scalar fields.</summary>
    private sealed class BlockState
    {
        // Pooled: the accumulated UTF-8 is copied into the message's strings, never handed out.
        private PooledBuffer _content;
        private JsonElement? _input;
        private JsonElement? _inputSnapshot;
        private ToolInputStatus _inputStatus;
        private int _inputParsedLength = -1;

        public BlockState(int index, ContentBlockType type, string? startJson)
        {
            Index = index;
            Type = type;
            StartJson = startJson;
            if (Type.Kind is ContentBlockTypeKind.ToolUse or ContentBlockTypeKind.ServerToolUse or ContentBlockTypeKind.McpToolUse)
            {
                ToolInput = StreamingToolInput.CreateReadOnly();
            }
        }

        /// <summary>A tool block's input, read as it arrives; null for other blocks.</summary>
        public StreamingToolInput? ToolInput { get; }

        public int Index { get; }

        public ContentBlockType Type { get; }

        public string? StartJson { get; }

        public string? Id { get; set; }

        public string? Name { get; set; }

        public string? Signature { get; set; }

        public string? EncryptedContent { get; set; }

        public bool HasContent { get; set; }

        public bool Stopped { get; set; }

        public List<Citation>? Citations { get; set; }

        public List<string>? UnknownDeltas { get; set; }

        public void Append(JsonText text)
        {
            int n = text.CopyUnescaped(_content.GetTail(text.MaxUnescapedLength));
            _content.Advance(n);
        }

        /// <summary>An <c>input_json_delta</c>: read into the tool input; kept as content on a block of another type.</summary>
        public void AppendInput(JsonText partialJson)
        {
            if (ToolInput is { } input)
            {
                input.AppendCore(partialJson);
            }
            else
            {
                Append(partialJson);
            }
        }

        public void Release()
        {
            _content.Release();
            ToolInput?.Dispose();
        }

        private string ContentString => Utf8Util.GetString(_content.Span);

        /// <summary>
        /// Settles the tool input at the block's stop or when the message is taken: a whole input is
        /// parsed once (as it always was: blank is <c>{}</c>); a cut one gets its snapshot. Again
        /// only if more text arrived since.
        /// </summary>
        public void ParseInput()
        {
            if (ToolInput is not { } tracker || tracker.Utf8Json.Length == _inputParsedLength)
            {
                return;
            }

            ReadOnlySpan<byte> json = tracker.Utf8Json;
            _inputParsedLength = json.Length;
            _input = null;
            _inputSnapshot = null;

            // At its stop an input is almost always whole: the reader alone settles it, and the
            // scanner, if nobody asked it anything while the text arrived, never reads the text.
            // Blank or cut input (and a message taken mid-block) is the scanner's to judge.
            bool readerFailed = false;
            if (Stopped && !IsJsonWhitespace(json))
            {
                if (TryParseWhole(json, out JsonElement whole))
                {
                    _input = whole;
                    _inputSnapshot = whole;
                    _inputStatus = ToolInputStatus.Complete;
                    return;
                }

                readerFailed = true;
            }

            _inputStatus = tracker.StatusAtEnd;
            switch (_inputStatus)
            {
                case ToolInputStatus.Complete when tracker.IsBlank:
                    var blank = new Utf8JsonReader("{}"u8);
                    _input = JsonElement.ParseValue(ref blank);
                    break;
                case ToolInputStatus.Complete:
                    // The scanner follows the reader's rules; should they ever differ, the reader decides.
                    if (!readerFailed && TryParseWhole(json, out JsonElement value))
                    {
                        _input = value;
                    }
                    else
                    {
                        _inputStatus = ToolInputStatus.Malformed;
                    }

                    break;
                case ToolInputStatus.Partial:
                    // Cut short (max_tokens, a broken stream) or still arriving: the snapshot, flagged.
                    try
                    {
                        _inputSnapshot = tracker.GetSnapshot();
                    }
                    catch (JsonException)
                    {
                        _inputStatus = ToolInputStatus.Malformed;
                    }

                    break;
            }

            _inputSnapshot ??= _input;
        }

        private static bool IsJsonWhitespace(ReadOnlySpan<byte> json)
        {
            foreach (byte b in json)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// One whole JSON value and nothing after it, parsed into an element that owns its data (a
        /// pooled JsonDocument would need a Clone: a second copy of a tool input that can be large).
        /// </summary>
        private static bool TryParseWhole(ReadOnlySpan<byte> json, out JsonElement value)
        {
            try
            {
                var reader = new Utf8JsonReader(json, ReaderOptions);
                value = JsonElement.ParseValue(ref reader);
                return !reader.Read();
            }
            catch (JsonException)
            {
                value = default;
                return false;
            }
        }

        private bool IsToolUse => Type.Kind is ContentBlockTypeKind.ToolUse or ContentBlockTypeKind.ServerToolUse or ContentBlockTypeKind.McpToolUse;

        public ContentBlock ToContentBlock()
        {
            ContentBlock block;
            switch (Type.Kind)
            {
                case ContentBlockTypeKind.Text:
                    block = new TextBlock(Index, ContentString, (IReadOnlyList<Citation>?)Citations ?? []);
                    break;
                case ContentBlockTypeKind.Thinking:
                    block = new ThinkingBlock(Index, ContentString, Signature ?? string.Empty);
                    break;
                case ContentBlockTypeKind.RedactedThinking:
                    block = new RedactedThinkingBlock(Index, ContentString);
                    break;
                case ContentBlockTypeKind.ToolUse:
                case ContentBlockTypeKind.ServerToolUse:
                case ContentBlockTypeKind.McpToolUse:
                    ParseInput();
                    block = new ToolUseBlock(Index, Type, Id ?? string.Empty, Name ?? string.Empty, Utf8Util.GetString(ToolInput!.Utf8Json), _input, StartJson)
                    {
                        InputStatus = _inputStatus,
                        InputSnapshot = _inputSnapshot,
                    };
                    break;
                case ContentBlockTypeKind.Compaction:
                    block = new CompactionBlock(Index, HasContent ? ContentString : null, EncryptedContent);
                    break;
                default:
                    block = new RawContentBlock(Index, Type, StartJson ?? "{}", (IReadOnlyList<string>?)UnknownDeltas ?? []);
                    break;
            }

            block.IsComplete = Stopped;
            return block;
        }
    }
}
