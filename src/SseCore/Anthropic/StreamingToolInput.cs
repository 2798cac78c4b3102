using System;
using System.Buffers;
using System.Text.Json;
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>
/// A tool's <c>input</c> while its <c>input_json_delta</c>s arrive: each delta's
/// <c>partial_json</c> is appended and read once, so following a tool call costs O(n) in the size
/// of its input however it is cut — never a re-parse per delta. The reading is done when something
/// is asked (any member below reads what arrived since the last question), so an input nobody
/// looks at while it arrives is only copied.
/// </summary>
/// <remarks>
/// <para>
/// What it offers at any moment: <see cref="Status"/>; the top-level properties whose values are
/// complete (<see cref="PropertyCount"/>, <see cref="GetProperty"/>: name and raw JSON of the
/// value); the property being written (<see cref="CurrentProperty"/>) and, when its value is a
/// string, its text so far (<see cref="CurrentText"/>, unescaped); and on request a snapshot, the
/// input as valid JSON with what is unfinished closed (<see cref="GetSnapshot"/>,
/// <see cref="WriteSnapshot"/>), built in time proportional to the input.
/// </para>
/// <para>
/// How the snapshot closes an unfinished input: an open string value keeps its text so far and is
/// closed (an escape or UTF-8 sequence cut in the middle is left out); open arrays and objects are
/// closed; a member whose name is unfinished, or whose value has not begun (<c>"a"</c>,
/// <c>"a":</c>), is left out; a number or literal is left out until a delimiter shows it is whole
/// (<c>12</c> may still become <c>123</c>; a literal is whole at its last letter). So every number,
/// literal and closed string in a snapshot equals its final value, and a later snapshot only adds
/// to an earlier one. Before the root value begins, and while a root number or literal is
/// unfinished, the snapshot is <c>{}</c>.
/// </para>
/// <para>
/// The JSON rules are those of <see cref="Utf8JsonReader"/> with default options: no comments,
/// no trailing commas, one value. Text that breaks them is <see cref="ToolInputStatus.Malformed"/>
/// and nesting beyond <see cref="MaxDepth"/> is <see cref="ToolInputStatus.TooDeep"/>; either way
/// reading stops at that byte (<see cref="ErrorOffset"/>), the text is still appended and kept, and
/// nothing throws. State is a few fields and one entry per open container: no recursion, whatever
/// the input.
/// </para>
/// <para>
/// Memory is the input's text, the current string value's unescaped text, and 20 bytes per
/// completed top-level property, in buffers rented from <see cref="ArrayPool{T}.Shared"/>
/// (<see cref="Dispose"/> returns them). Appending allocates nothing once the buffers have grown
/// (and, past 8 levels, once the container stack has).
/// Not thread-safe.
/// </para>
/// </remarks>
public sealed partial class StreamingToolInput : IDisposable
{
    /// <summary>The deepest nesting of objects and arrays read (the decoder's and the accumulator's limit too).</summary>
    public const int MaxDepth = 256;

    private PooledBuffer _raw;
    private bool _readOnly;
    private bool _disposed;

    /// <summary>Creates an empty input, to be fed with <see cref="Append(JsonText)"/>.</summary>
    public StreamingToolInput()
    {
    }

    /// <summary>An input that only its owner (the accumulator) appends to.</summary>
    internal static StreamingToolInput CreateReadOnly() => new() { _readOnly = true };

    /// <summary>The input's JSON text so far, UTF-8: every <c>partial_json</c> appended, unescaped. Valid until the next append.</summary>
    public ReadOnlySpan<byte> Utf8Json => _raw.Span;

    /// <summary>Whether the text so far is a prefix of JSON, whole JSON, or neither.</summary>
    public ToolInputStatus Status => CatchUp();

    /// <summary>The offset in <see cref="Utf8Json"/> of the byte that made it malformed or too deep; null while it is neither.</summary>
    public int? ErrorOffset => CatchUp() is ToolInputStatus.Malformed or ToolInputStatus.TooDeep ? _pos : null;

    /// <summary>How many top-level properties of the input object are complete (their values whole).</summary>
    public int PropertyCount
    {
        get
        {
            CatchUp();
            return _propertyCount;
        }
    }

    /// <summary>
    /// Whether a top-level property is being written: its name arrived, its value is not whole yet.
    /// </summary>
    public bool HasCurrentProperty
    {
        get
        {
            CatchUp();
            return _hasName;
        }
    }

    /// <summary>
    /// The top-level property being written: its name and what arrived of its value (see
    /// <see cref="HasCurrentProperty"/>; default when there is none). Valid until the next append.
    /// </summary>
    public ToolInputProperty CurrentProperty => !HasCurrentProperty
        ? default
        : new ToolInputProperty(new JsonText(_raw.Span.Slice(_nameStart, _nameLength), _nameEscaped), _valueStart < 0 ? default : _raw.Span.Slice(_valueStart, _pos - _valueStart));

    /// <summary>
    /// When the value of <see cref="CurrentProperty"/> is a string: its text so far, unescaped UTF-8
    /// (a surrogate escape waiting for its pair is left out until the pair arrives). Empty
    /// otherwise. Valid until the next append.
    /// </summary>
    public ReadOnlySpan<byte> CurrentText
    {
        get
        {
            CatchUp();
            return _trackText ? _text.Span : default;
        }
    }

    /// <summary>A completed top-level property, in the order they completed (the order of the text).</summary>
    /// <param name="index">From 0 to <see cref="PropertyCount"/> - 1.</param>
    /// <returns>Its name and value, valid until the next append.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public ToolInputProperty GetProperty(int index)
    {
        CatchUp();
        if ((uint)index >= (uint)_propertyCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        ref readonly PropertyEntry p = ref _properties[index];
        ReadOnlySpan<byte> raw = _raw.Span;
        return new ToolInputProperty(new JsonText(raw.Slice(p.NameStart, p.NameLength), p.NameEscaped), raw.Slice(p.ValueStart, p.ValueLength));
    }

    /// <summary>Appends one delta's <c>partial_json</c>, unescaped after the text so far (read when next asked).</summary>
    /// <param name="partialJson">The delta's <c>partial_json</c> (<see cref="DeltaView.PartialJson"/>).</param>
    /// <exception cref="InvalidOperationException">This input belongs to a <see cref="MessageAccumulator"/>, which appends to it.</exception>
    /// <exception cref="ObjectDisposedException">The input was disposed.</exception>
    public void Append(JsonText partialJson)
    {
        ThrowIfNotWritable();
        AppendCore(partialJson);
    }

    /// <summary>Appends JSON text that is already UTF-8 (not escaped as a JSON string; read when next asked).</summary>
    /// <param name="utf8Json">The next piece of the input's JSON text.</param>
    /// <exception cref="InvalidOperationException">This input belongs to a <see cref="MessageAccumulator"/>, which appends to it.</exception>
    /// <exception cref="ObjectDisposedException">The input was disposed.</exception>
    public void Append(ReadOnlySpan<byte> utf8Json)
    {
        ThrowIfNotWritable();
        _raw.Append(utf8Json);
    }

    /// <summary>Forgets everything, to follow another input with the same buffers.</summary>
    /// <exception cref="InvalidOperationException">This input belongs to a <see cref="MessageAccumulator"/>.</exception>
    /// <exception cref="ObjectDisposedException">The input was disposed.</exception>
    public void Clear()
    {
        ThrowIfNotWritable();
        _raw.Clear();
        ResetScanner();
    }

    /// <summary>The length in bytes of the snapshot <see cref="WriteSnapshot"/> writes.</summary>
    public int SnapshotLength
    {
        get
        {
            SnapshotShape shape = GetSnapshotShape();
            return shape.Empty ? 2 : shape.Cut + (shape.CloseString ? 1 : 0) + _depth;
        }
    }

    /// <summary>
    /// Writes the snapshot: the input so far as valid JSON, what is unfinished closed (see the
    /// remarks on <see cref="StreamingToolInput"/>). O(input); allocates nothing. For malformed or
    /// too deep text, the snapshot of what preceded <see cref="ErrorOffset"/>.
    /// </summary>
    /// <param name="destination">At least <see cref="SnapshotLength"/> bytes.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public int WriteSnapshot(Span<byte> destination)
    {
        SnapshotShape shape = GetSnapshotShape();
        int length = shape.Empty ? 2 : shape.Cut + (shape.CloseString ? 1 : 0) + _depth;
        if (destination.Length < length)
        {
            throw new ArgumentException("The destination is shorter than SnapshotLength.", nameof(destination));
        }

        if (shape.Empty)
        {
            destination[0] = (byte)'{';
            destination[1] = (byte)'}';
            return 2;
        }

        _raw.Span.Slice(0, shape.Cut).CopyTo(destination);
        int n = shape.Cut;
        if (shape.CloseString)
        {
            destination[n++] = (byte)'"';
        }

        for (int d = _depth - 1; d >= 0; d--)
        {
            destination[n++] = _containers[d].IsArray ? (byte)']' : (byte)'}';
        }

        return n;
    }

    /// <summary>The snapshot parsed: a new element that owns its data (allocates).</summary>
    /// <returns>The input so far as a JSON element.</returns>
    public JsonElement GetSnapshot()
    {
        // One value by construction, parsed into an element that copies what it needs (no
        // pooled document to clone), so the text can be written into a rented buffer.
        byte[] json = ArrayPool<byte>.Shared.Rent(SnapshotLength);
        try
        {
            int n = WriteSnapshot(json);
            var reader = new Utf8JsonReader(json.AsSpan(0, n), new JsonReaderOptions { MaxDepth = MaxDepth });
            JsonElement snapshot = JsonElement.ParseValue(ref reader);

            // As JsonDocument.Parse did: anything after the one value makes the snapshot malformed
            // (ParseValue alone would stop at the value and ignore the rest).
            if (reader.Read())
            {
                throw new JsonException("The tool input's snapshot holds more than one JSON value.");
            }

            return snapshot;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(json);
        }
    }

    /// <summary>Returns the rented buffers. The input reads as empty afterwards and cannot be appended to.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _raw.Release();
        _text.Release();
        ResetScanner();
        ReleaseProperties();
    }

    /// <summary>The accumulator's way in: appends without the ownership check.</summary>
    internal void AppendCore(JsonText partialJson)
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(StreamingToolInput));
        }

        int n = partialJson.CopyUnescaped(_raw.GetTail(partialJson.MaxUnescapedLength));
        _raw.Advance(n);
    }

    /// <summary>
    /// What the status is if no more text comes: a root number is whole at the end of the text;
    /// blank text is taken as <c>{}</c> (as the SDKs take a tool with no arguments).
    /// </summary>
    internal ToolInputStatus StatusAtEnd
    {
        get
        {
            if (CatchUp() != ToolInputStatus.Partial)
            {
                return _status;
            }

            bool blank = _depth == 0 && _lex == Lex.Value;
            bool rootNumberWhole = _depth == 0 && _lex == Lex.Number && _sub is NumZero or NumInt or NumFrac or NumExpDigits;
            return blank || rootNumberWhole ? ToolInputStatus.Complete : ToolInputStatus.Partial;
        }
    }

    /// <summary>Whether nothing but whitespace arrived.</summary>
    internal bool IsBlank => CatchUp() == ToolInputStatus.Partial && _depth == 0 && _lex == Lex.Value;

    private void ThrowIfNotWritable()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(StreamingToolInput));
        }

        if (_readOnly)
        {
            ThrowHelper.ThrowInvalidOperation("This tool input belongs to a MessageAccumulator, which appends the deltas to it.");
        }
    }

    private void ReleaseProperties()
    {
        if (_properties.Length > 0)
        {
            ArrayPool<PropertyEntry>.Shared.Return(_properties);
            _properties = [];
        }

        _propertyCount = 0;
    }
}
