using System;
using System.Buffers;
#if NET8_0_OR_GREATER
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
#endif
using System.Runtime.CompilerServices;
using SseCore.Internal;

namespace SseCore;

/// <summary>
/// A forward-only tokenizer of the <c>text/event-stream</c> format over one buffer of a stream,
/// in the style of <c>Utf8JsonReader</c>: it returns one complete event at a time and keeps what
/// must survive until the next buffer in a <see cref="SseParserState"/>.
/// </summary>
/// <remarks>
/// <para>
/// It implements the WHATWG HTML "Parsing an event stream" and "Interpreting an event stream"
/// algorithms over bytes: CRLF, LF and lone CR line ends (a lone CR ends its line at once, and an LF
/// that follows it, even in a later buffer, is skipped), one leading BOM, comments, the
/// <c>event</c>, <c>data</c>, <c>id</c> and <c>retry</c> fields, and dispatch on blank lines.
/// </para>
/// <para>
/// Contract with the caller: build a tokenizer over the bytes that follow the last consumed byte,
/// call <see cref="TryRead(out SseEvent)"/> until it returns <see langword="false"/>, and then
/// discard the whole buffer: the tokenizer consumed all of it, copying a line that was cut by the
/// buffer's end (and only such a line) into the state. After an event, <see cref="Consumed"/>
/// marks the byte after its blank line. With <c>isFinalBlock</c> the stream ends at the buffer's
/// end and an event without its blank line is discarded, as the spec says.
/// </para>
/// <para>Cost is linear in the bytes given, however the stream is cut into buffers and segments.</para>
/// </remarks>
public ref struct SseTokenizer
{
    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';

    private readonly SseParserState _state;
    private readonly ReadOnlySequence<byte> _sequence;
    private readonly bool _hasSequence;
    private readonly bool _isFinalBlock;
    private readonly long _startOffset;

    private SequencePosition _segmentPosition;
    private SequencePosition _nextPosition;
    private ReadOnlyMemory<byte> _memory;
    private ReadOnlySpan<byte> _span;
    private int _index;
    private long _segmentOffset;

    // The value of a single data line still lying in the input (not yet copied to the state).
    private ReadOnlySpan<byte> _inPlaceData;
    private ReadOnlyMemory<byte> _inPlaceMemory;
    private bool _hasInPlaceData;

    // Likewise the event type: copied into the state only if the event goes on past this buffer.
    private ReadOnlySpan<byte> _inPlaceType;
    private ReadOnlyMemory<byte> _inPlaceTypeMemory;
    private bool _hasInPlaceType;

    private ReadOnlySpan<byte> _comment;

    // Consumed: after an event or a comment, the index in the current segment (the position is
    // built when asked, or when the tokenizer leaves the segment: most callers never ask);
    // otherwise -1 and the position itself.
    private SequencePosition _consumed;
    private int _consumedIndex;

    /// <summary>Creates a tokenizer over the next buffer of a stream.</summary>
    /// <param name="buffer">The bytes following the last byte consumed from this stream.</param>
    /// <param name="isFinalBlock"><see langword="true"/> when the stream ends with this buffer.</param>
    /// <param name="state">The stream's state, carried from the previous buffer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    public SseTokenizer(ReadOnlySequence<byte> buffer, bool isFinalBlock, SseParserState state)
        : this(buffer, buffer.Start, isFinalBlock, state)
    {
    }

    /// <summary>
    /// A tokenizer over <paramref name="buffer"/> from <paramref name="start"/> (a position in it,
    /// where the previous tokenizer over the same buffer stopped): <see cref="SseReader"/> parses
    /// the events of one read this way without slicing the sequence per event.
    /// </summary>
    internal SseTokenizer(ReadOnlySequence<byte> buffer, SequencePosition start, bool isFinalBlock, SseParserState state)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _sequence = buffer;
        _hasSequence = true;
        _isFinalBlock = isFinalBlock;
        _startOffset = state.Offset;
        _segmentOffset = state.Offset;
        _nextPosition = start;
        _segmentPosition = start;
        _consumed = start;
        _consumedIndex = -1;
        _index = 0;
        _inPlaceData = default;
        _inPlaceMemory = default;
        _hasInPlaceData = false;
        _inPlaceType = default;
        _inPlaceTypeMemory = default;
        _hasInPlaceType = false;
        _comment = default;
        _memory = default;
        _span = default;
        if (buffer.TryGet(ref _nextPosition, out ReadOnlyMemory<byte> first))
        {
            _memory = first;
            _span = first.Span;
        }
    }

    /// <summary>Creates a tokenizer over the next buffer of a stream, given as one span.</summary>
    /// <param name="buffer">The bytes following the last byte consumed from this stream.</param>
    /// <param name="isFinalBlock"><see langword="true"/> when the stream ends with this buffer.</param>
    /// <param name="state">The stream's state, carried from the previous buffer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    public SseTokenizer(ReadOnlySpan<byte> buffer, bool isFinalBlock, SseParserState state)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _sequence = default;
        _hasSequence = false;
        _isFinalBlock = isFinalBlock;
        _startOffset = state.Offset;
        _segmentOffset = state.Offset;
        _nextPosition = default;
        _segmentPosition = default;
        _consumed = default;
        _consumedIndex = -1;
        _index = 0;
        _inPlaceData = default;
        _inPlaceMemory = default;
        _hasInPlaceData = false;
        _inPlaceType = default;
        _inPlaceTypeMemory = default;
        _hasInPlaceType = false;
        _comment = default;
        _memory = default;
        _span = buffer;
    }

    /// <summary>
    /// After <see cref="TryRead(out SseEvent)"/> returned <see langword="true"/>, the position
    /// after the event's blank line; after it returned <see langword="false"/>, the end of the
    /// buffer. Only for a tokenizer built over a <see cref="ReadOnlySequence{T}"/>.
    /// </summary>
    /// <remarks>
    /// The tokenizer never examines a byte it does not consume (a cut line is copied into the
    /// state), so this is both the consumed and the examined position for
    /// <c>PipeReader.AdvanceTo(consumed, examined)</c>.
    /// </remarks>
    public readonly SequencePosition Consumed => _consumedIndex >= 0 ? _sequence.GetPosition(_consumedIndex, _segmentPosition) : _consumed;

    /// <summary>How many bytes of this buffer were consumed so far.</summary>
    public readonly long BytesConsumed => _state.Offset - _startOffset;

    /// <summary>The state this tokenizer reads and updates.</summary>
    public readonly SseParserState State => _state;

    /// <summary>
    /// Reads up to the next dispatched event. Comments met on the way go to
    /// <see cref="SseParserState.CommentHandler"/>.
    /// </summary>
    /// <param name="sseEvent">The event, valid until the next call (see <see cref="SseEvent"/>).</param>
    /// <returns>
    /// <see langword="true"/> with an event; <see langword="false"/> when the buffer is used up
    /// (all of it consumed) and more bytes are needed, or the stream ended.
    /// </returns>
    /// <exception cref="SseLimitExceededException">A line or an event exceeds the limits of <see cref="SseParserState.Options"/>.</exception>
    public bool TryRead(out SseEvent sseEvent)
    {
        if (MoveToNextEvent())
        {
            sseEvent = CurrentEvent;
            return true;
        }

        sseEvent = default;
        return false;
    }

    /// <summary>
    /// <see cref="TryRead(out SseEvent)"/> without building the event: <see cref="SseReader"/>
    /// builds it from the state when <see cref="SseReader.Current"/> is read.
    /// </summary>
    /// <returns><see langword="true"/> when an event was dispatched.</returns>
    internal bool MoveToNextEvent()
    {
        while (true)
        {
            SseTokenKind kind = ReadNext();
            if (kind == SseTokenKind.Event)
            {
                return true;
            }

            if (kind == SseTokenKind.None)
            {
                return false;
            }

            _state.CommentHandler?.Invoke(_comment);
        }
    }

    /// <summary>The event of the last <see cref="ReadNext"/> that returned <see cref="SseTokenKind.Event"/>.</summary>
    internal readonly SseEvent CurrentEvent =>
        _state.CreateEvent(_hasInPlaceType ? _inPlaceType : _state.Type.Span, _hasInPlaceData ? _inPlaceData : _state.DataSpan);

    /// <summary>The comment of the last <see cref="ReadNext"/> that returned <see cref="SseTokenKind.Comment"/>.</summary>
    internal readonly ReadOnlySpan<byte> CurrentComment => _comment;

    /// <summary>Reads up to the next event or comment; the core of every reader.</summary>
    internal SseTokenKind ReadNext()
    {
        SseParserState s = _state;
        if (s.ResetPending)
        {
            // The previous event's spans were valid until now.
            s.ResetPending = false;
            s.EventStart = s.NextEventStart;
            s.Type.Clear();
            s.ClearData();
            s.HasData = false;

            // Only the flags: the spans are set with them, and the state's Dispatched* fields
            // are read only after PublishEvent has set them all.
            _hasInPlaceData = false;
            _hasInPlaceType = false;
        }

        if (s.LineResetPending)
        {
            s.LineResetPending = false;
            s.Line.Clear();
        }

        if (s.Completed)
        {
            _consumed = _hasSequence ? _sequence.End : default;
            _consumedIndex = -1;
            return SseTokenKind.None;
        }

        int maxLine = s.Options.MaxLineLength;
        while (true)
        {
            if (_index >= _span.Length)
            {
                if (!TryMoveToNextSegment())
                {
                    EndOfBuffer();
                    return SseTokenKind.None;
                }

                continue;
            }

            if (s.SkipLf)
            {
                // Spec: a CR LF pair is one line end; the CR already ended the line.
                s.SkipLf = false;
                if (_span[_index] == LF)
                {
                    // A blank line ended by that CR set the next event's start right after the CR.
                    if (s.EventStart == _segmentOffset + _index)
                    {
                        s.EventStart++;
                    }

                    _index++;
                    continue;
                }
            }

            if (!s.BomDone && !ConsumeBom())
            {
                continue;
            }

            ReadOnlySpan<byte> rest = _span.Slice(_index);

            // A blank line (every event ends with one) needs no search.
            int eol = !rest.IsEmpty && rest[0] is LF or CR ? 0 : IndexOfLineEnd(rest);
            if (eol < 0)
            {
                // The line goes on past this segment: keep what we have, look at each byte once.
                AppendPartialLine(rest);
                _index = _span.Length;
                continue;
            }

            ReadOnlySpan<byte> line;
            int lineIndex;
            long lineStart;
            if (s.Line.Length == 0)
            {
                line = rest.Slice(0, eol);
                lineIndex = _index;
                lineStart = _segmentOffset + _index;
                if (line.Length > maxLine)
                {
                    ThrowHelper.ThrowLimitExceeded(SseLimit.LineLength, maxLine, lineStart + maxLine);
                }
            }
            else
            {
                AppendPartialLine(rest.Slice(0, eol));
                line = s.Line.Span;
                lineIndex = -1;
                lineStart = s.LineStart;
            }

            _index += eol + 1;
            if (rest[eol] == CR)
            {
                if (_index < _span.Length)
                {
                    if (_span[_index] == LF)
                    {
                        _index++;
                    }
                }
                else
                {
                    // The CR ends the line now; an LF at the start of the next bytes is skipped.
                    s.SkipLf = true;
                }
            }

            SseTokenKind kind = ProcessLine(line, lineIndex, lineStart);
            if (lineIndex < 0)
            {
                if (kind == SseTokenKind.None)
                {
                    s.Line.Clear();
                }
                else
                {
                    s.LineResetPending = true;
                }
            }

            if (kind != SseTokenKind.None)
            {
                s.Offset = _segmentOffset + _index;
                if (_hasSequence)
                {
                    _consumedIndex = _index;
                }

                return kind;
            }
        }
    }

    private bool TryMoveToNextSegment()
    {
        if (!_hasSequence)
        {
            return false;
        }

        if (_consumedIndex >= 0)
        {
            // The index is the segment's: build the position before leaving it.
            _consumed = _sequence.GetPosition(_consumedIndex, _segmentPosition);
            _consumedIndex = -1;
        }

        _segmentOffset += _span.Length;
        while (true)
        {
            SequencePosition current = _nextPosition;
            if (!_sequence.TryGet(ref _nextPosition, out ReadOnlyMemory<byte> memory))
            {
                _span = default;
                _index = 0;
                return false;
            }

            if (!memory.IsEmpty)
            {
                _segmentPosition = current;
                _memory = memory;
                _span = memory.Span;
                _index = 0;
                return true;
            }
        }
    }

    private void EndOfBuffer()
    {
        SseParserState s = _state;
        if (_hasInPlaceData)
        {
            // The event goes on in the next buffer: its data must outlive this one.
            s.Data.Append(_inPlaceData);
            ClearInPlaceData();
        }

        if (_hasInPlaceType)
        {
            s.Type.Set(_inPlaceType);
            ClearInPlaceType();
        }

        s.Offset = _segmentOffset + _index;
        if (_hasSequence)
        {
            _consumed = _sequence.End;
            _consumedIndex = -1;
        }

        if (_isFinalBlock)
        {
            // Spec: "Once the end of the file is reached, any pending data must be discarded. (If
            // the file ends in the middle of an event, before the final empty line, the incomplete
            // event is not dispatched.)"
            s.Completed = true;
            s.Line.Clear();
            s.Type.Clear();
            s.ClearData();
            s.HasData = false;
        }
    }

    /// <summary>Skips one UTF-8 BOM at the very start of the stream, also when it is split; false when more bytes are needed.</summary>
    private bool ConsumeBom()
    {
        SseParserState s = _state;
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        while (s.BomMatched < bom.Length)
        {
            if (_index >= _span.Length)
            {
                return false;
            }

            if (_span[_index] != bom[s.BomMatched])
            {
                // Not a BOM: the bytes matched so far begin the first line.
                if (s.BomMatched > 0)
                {
                    s.LineStart = _segmentOffset + _index - s.BomMatched;
                    s.Line.Append(bom.Slice(0, s.BomMatched));
                }

                break;
            }

            s.BomMatched++;
            _index++;
        }

        // Offsets are the stream's (a reconnected state keeps counting): the first event starts
        // after a BOM, or where the bytes that looked like one began.
        s.EventStart = _segmentOffset + _index - (s.BomMatched == bom.Length ? 0 : s.BomMatched);
        s.BomDone = true;
        return true;
    }

    private void AppendPartialLine(ReadOnlySpan<byte> bytes) => AppendPartialLine(_state, bytes, _segmentOffset + _index);

    /// <summary>Keeps bytes of a line cut by the end of a buffer; <paramref name="offset"/> is the stream offset of the first.</summary>
    /// <exception cref="SseLimitExceededException">The line exceeds <see cref="SseParserOptions.MaxLineLength"/>.</exception>
    private static void AppendPartialLine(SseParserState s, ReadOnlySpan<byte> bytes, long offset)
    {
        if (s.Line.Length == 0)
        {
            if (bytes.IsEmpty)
            {
                return;
            }

            s.LineStart = offset;
        }

        int max = s.Options.MaxLineLength;
        if (s.Line.Length + bytes.Length > max)
        {
            ThrowHelper.ThrowLimitExceeded(SseLimit.LineLength, max, s.LineStart + max);
        }

        s.Line.Append(bytes);
    }

    /// <summary>
    /// The whole effect of a buffer that holds no line end and follows a consumed line end or a
    /// cut line: its bytes join the current line. This is what most small network reads are, and
    /// it costs far less than a tokenizer. Returns <see langword="false"/>, having done nothing,
    /// when the buffer needs the tokenizer: it ends the stream, is not one segment, holds a CR or
    /// LF, or would take the line past its limit (the tokenizer reports that); an event was just
    /// returned (its spans are still valid); the stream has not passed its BOM or may start with
    /// the LF of a CRLF. The caller consumes the whole buffer when it returns <see langword="true"/>.
    /// </summary>
    internal static bool TryAppendToCutLine(in ReadOnlySequence<byte> buffer, bool isFinalBlock, SseParserState s)
    {
        if (isFinalBlock || !buffer.IsSingleSegment)
        {
            return false;
        }

#if NET
        ReadOnlySpan<byte> bytes = buffer.FirstSpan;
#else
        ReadOnlySpan<byte> bytes = buffer.First.Span;
#endif
        if (s.ResetPending || s.LineResetPending || s.SkipLf || s.Completed || !s.BomDone
            || bytes.IsEmpty
            || (long)s.Line.Length + bytes.Length > s.Options.MaxLineLength
            || HasLineEnd(bytes))
        {
            return false;
        }

        AppendPartialLine(s, bytes, s.Offset);
        s.Offset += bytes.Length;
        return true;
    }

    /// <summary>Interprets one complete line. <paramref name="lineIndex"/> is its index in the current span, or -1 when it is in the state's line buffer.</summary>
    private SseTokenKind ProcessLine(ReadOnlySpan<byte> line, int lineIndex, long lineStart)
    {
        SseParserState s = _state;
        if (line.IsEmpty)
        {
            return DispatchEvent();
        }

        if (line[0] == (byte)':')
        {
            // Spec: "If the line starts with a U+003A COLON character (:) - Ignore the line."
            // We ignore it for the event, and let the caller observe it.
            _comment = line.Slice(1);
            return SseTokenKind.Comment;
        }

        ReadOnlySpan<byte> name;
        ReadOnlySpan<byte> value;
        int valueIndex;
        int colon = FindColon(line);
        if (colon >= 0)
        {
            // Spec: "Collect the characters on the line before the first U+003A COLON character (:),
            // and let field be that string. Collect the characters on the line after the first
            // U+003A COLON character (:), and let value be that string. If value starts with a
            // U+0020 SPACE character, remove it from value."
            name = line.Slice(0, colon);
            valueIndex = colon + 1;
            if (valueIndex < line.Length && line[valueIndex] == (byte)' ')
            {
                valueIndex++;
            }

            value = line.Slice(valueIndex);
        }
        else
        {
            // Spec: "using the whole line as the field name, and the empty string as the field value."
            name = line;
            value = default;
            valueIndex = line.Length;
        }

        switch (name.Length)
        {
            case 4 when name.SequenceEqual("data"u8):
                AppendData(value, lineIndex < 0 ? -1 : lineIndex + valueIndex, lineStart + valueIndex, valueIndex);
                break;
            case 5 when name.SequenceEqual("event"u8):
                // Spec: "Set the event type buffer to field value." While the line lies in the
                // input, the buffer is the input (saving a copy per event).
                if (lineIndex >= 0)
                {
                    _hasInPlaceType = true;
                    _inPlaceType = value;
                    _inPlaceTypeMemory = _hasSequence ? _memory.Slice(lineIndex + valueIndex, value.Length) : default;
                }
                else
                {
                    ClearInPlaceType();
                    s.Type.Set(value);
                }

                break;
            case 2 when name.SequenceEqual("id"u8):
                // Spec: "If the field value does not contain U+0000 NULL, then set the last event ID
                // buffer to the field value. Otherwise, ignore the field."
                if (value.IndexOf((byte)0) < 0)
                {
                    s.IdBuffer.Set(value);
                    s.IdDirty = true;
                }

                break;
            case 5 when name.SequenceEqual("retry"u8):
                // Spec: "If the field value consists of only ASCII digits, then interpret the field
                // value as an integer in base ten, and set the event stream's reconnection time to
                // that integer. Otherwise, ignore the field." An empty value is not a number: ignored.
                if (TryParseDigits(value, out long retry))
                {
                    s.Retry = retry;
                }

                break;
            default:
                // Spec: "Otherwise: The field is ignored."
                break;
        }

        return SseTokenKind.None;
    }

    /// <summary>
    /// Appends a data value: <paramref name="valueIndex"/> is its index in the current span, or -1
    /// when the line is in the state's line buffer, where it starts at <paramref name="lineValueIndex"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AppendData(ReadOnlySpan<byte> value, int valueIndex, long valueOffset, int lineValueIndex)
    {
        SseParserState s = _state;
        int max = s.Options.MaxEventSize;
        if (!s.HasData)
        {
            if (value.Length > max)
            {
                ThrowHelper.ThrowLimitExceeded(SseLimit.EventSize, max, valueOffset + max);
            }

            s.HasData = true;
            if (valueIndex >= 0)
            {
                // Fast path: the first data line stays where it is until we know whether it is alone.
                _hasInPlaceData = true;
                _inPlaceData = value;
                _inPlaceMemory = _hasSequence ? _memory.Slice(valueIndex, value.Length) : default;
            }
            else
            {
                // The line crossed buffers and sits whole in the line buffer: keep it there.
                s.TakeLineAsData(lineValueIndex);
            }

            return;
        }

        // Spec: "Append the field value to the data buffer, then append a single U+000A LINE FEED
        // (LF) character to the data buffer." We store the LF between lines instead of after each,
        // which is the same buffer once dispatch removes the trailing LF.
        if (_hasInPlaceData)
        {
            s.Data.Append(_inPlaceData);
            ClearInPlaceData();
        }

        long size = (long)s.DataLength + 1 + value.Length;
        if (size > max)
        {
            // The joining LF is not in the input: when it alone overflows, report the value's first byte.
            ThrowHelper.ThrowLimitExceeded(SseLimit.EventSize, max, valueOffset + Math.Max(0, max - s.DataLength - 1));
        }

        s.Data.Append(LF);
        s.Data.Append(value);
    }

    private SseTokenKind DispatchEvent()
    {
        SseParserState s = _state;

        // Spec dispatch step 1: "Set the last event ID string of the event source to the value of
        // the last event ID buffer."
        if (s.IdDirty)
        {
            s.LastId.Set(s.IdBuffer.Span);
            s.IdDirty = false;
        }

        long next = _segmentOffset + _index;
        if (!s.HasData)
        {
            // Spec step 2: "If the data buffer is an empty string, set the data buffer and the event
            // type buffer to the empty string and return."
            s.Type.Clear();
            ClearInPlaceType();
            s.EventStart = next;
            return SseTokenKind.None;
        }

        // Steps 3-7: the trailing LF is never stored; the type defaults to "message" in CurrentEvent;
        // the buffers are reset at the next read, when the event's spans expire.
        s.EventCount++;
        s.NextEventStart = next;
        s.ResetPending = true;
        return SseTokenKind.Event;
    }

    /// <summary>
    /// After an event, for <see cref="SseReader.Current"/>, which builds the event after this
    /// tokenizer is gone: where its in-place spans lie, as memory, in the state. Only over a
    /// sequence (over a span there is no memory to keep); only when asked (these writes are GC
    /// write barriers, and most events are read while the tokenizer lives).
    /// </summary>
    internal readonly void PublishEvent()
    {
        SseParserState s = _state;
        s.DispatchedInPlace = _hasInPlaceData;
        s.DispatchedData = _hasInPlaceData ? _inPlaceMemory : default;
        s.DispatchedTypeInPlace = _hasInPlaceType;
        s.DispatchedType = _hasInPlaceType ? _inPlaceTypeMemory : default;
    }

    private void ClearInPlaceData()
    {
        _hasInPlaceData = false;
        _inPlaceData = default;
        _inPlaceMemory = default;
    }

    private void ClearInPlaceType()
    {
        _hasInPlaceType = false;
        _inPlaceType = default;
        _inPlaceTypeMemory = default;
    }

    /// <summary>
    /// The index of the first colon: "data:" and "event:", nearly every line of a stream, are
    /// recognised from their first bytes, without a search.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FindColon(ReadOnlySpan<byte> line)
    {
        if (line.Length >= 5 && line[4] == (byte)':' && line.StartsWith("data"u8))
        {
            return 4;
        }

        if (line.Length >= 6 && line[5] == (byte)':' && line.StartsWith("event"u8))
        {
            return 5;
        }

        return line.IndexOf((byte)':');
    }

    /// <summary>Whether <paramref name="bytes"/> holds a CR or LF: a plain loop for the few bytes of a small read, where calling the vectorized search costs more than it saves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasLineEnd(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 8)
        {
            return IndexOfLineEnd(bytes) >= 0;
        }

        foreach (byte b in bytes)
        {
            if (b is CR or LF)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The first CR or LF. A line that ends within the next 32 bytes (an <c>event:</c> line, a
    /// comment, a short <c>data:</c> line) is found with one inline vector compare; a longer one
    /// goes on with the vectorized search, which for such short lines costs mostly its call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IndexOfLineEnd(ReadOnlySpan<byte> span)
    {
#if NET8_0_OR_GREATER
        if (Vector256.IsHardwareAccelerated && span.Length >= Vector256<byte>.Count)
        {
            Vector256<byte> v = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(span));
            uint ends = (Vector256.Equals(v, Vector256.Create(LF)) | Vector256.Equals(v, Vector256.Create(CR))).ExtractMostSignificantBits();
            if (ends != 0)
            {
                return BitOperations.TrailingZeroCount(ends);
            }

            int k = span.Slice(Vector256<byte>.Count).IndexOfAny(CR, LF);
            return k < 0 ? k : k + Vector256<byte>.Count;
        }
#endif
        return span.IndexOfAny(CR, LF);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseDigits(ReadOnlySpan<byte> value, out long result)
    {
        result = 0;
        if (value.IsEmpty)
        {
            return false;
        }

        long n = 0;
        foreach (byte b in value)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            // Saturate instead of overflowing: a reconnection time that large means "never".
            n = n > (long.MaxValue - digit) / 10 ? long.MaxValue : (n * 10) + digit;
        }

        result = n;
        return true;
    }
}

/// <summary>What <see cref="SseTokenizer.ReadNext"/> stopped at.</summary>
internal enum SseTokenKind
{
    None,
    Event,
    Comment,
}
