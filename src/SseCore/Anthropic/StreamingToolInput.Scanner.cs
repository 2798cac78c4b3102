using System;
using System.Buffers;
using System.Runtime.InteropServices;
using SseCore.Internal;

namespace SseCore.Anthropic;

/// <summary>
/// The resumable scanner: a byte-level state machine whose whole state lives in fields, so each
/// append reads only the new bytes — nothing is re-presented, not even the unfinished token. (A
/// <c>Utf8JsonReader</c> with <c>isFinalBlock: false</c> would need the unfinished token handed
/// back on every call: a 1 MB string value in 64-byte deltas would be read 16,000 times.)
/// </summary>
public sealed partial class StreamingToolInput
{
    // Number grammar (RFC 8259), one state per position; the whole ones may end at a delimiter.
    private const byte NumMinus = 0;
    private const byte NumZero = 1;
    private const byte NumInt = 2;
    private const byte NumDot = 3;
    private const byte NumFrac = 4;
    private const byte NumExp = 5;
    private const byte NumExpSign = 6;
    private const byte NumExpDigits = 7;

    private const int InitialContainers = 8;

    private ToolInputStatus _status;
    private Lex _lex;
    private int _pos;

    // Open containers, innermost last: the kind, and where its last complete member ends.
    private Container[] _containers = new Container[InitialContainers];
    private int _depth;

    // The scalar being read.
    private byte _sub;            // number state, literal position, or escape progress (1: after '\', 2-5: hex digits)
    private byte _literal;        // 't', 'f' or 'n'
    private bool _stringIsName;
    private bool _stringEscaped;
    private int _tokenStart;
    private int _escapeStart;
    private int _hex;
    private int _pendingHigh;     // a high surrogate escape waiting for its low half
    private int _pendingHighStart;

    // The top-level property being written, and the unescaped text of its string value.
    private bool _hasName;
    private int _nameStart;
    private int _nameLength;
    private bool _nameEscaped;
    private int _valueStart = -1;
    private bool _trackText;
    private PooledBuffer _text;

    private PropertyEntry[] _properties = [];
    private int _propertyCount;

    private enum Lex : byte
    {
        Value,          // a value must come: the root, after ':' or after ',' in an array
        ValueOrClose,   // after '['
        Name,           // after ',' in an object
        NameOrClose,    // after '{'
        Colon,
        AfterValue,     // ',' or the closing bracket; at the root, whitespace only
        String,
        Number,
        Literal,
    }

    private bool InTopLevelObject => _depth == 1 && !_containers[0].IsArray;

    private void ResetScanner()
    {
        _status = ToolInputStatus.Partial;
        _lex = Lex.Value;
        _pos = 0;
        _depth = 0;
        _sub = 0;
        _pendingHigh = 0;
        _hasName = false;
        _valueStart = -1;
        _trackText = false;
        _text.Clear();
        _propertyCount = 0;
    }

    /// <summary>Reads what was appended since the last question; every member that reports on the input calls it first.</summary>
    /// <returns>The status after reading.</returns>
    private ToolInputStatus CatchUp()
    {
        if (_pos < _raw.Length && _status <= ToolInputStatus.Complete)
        {
            Scan();
        }

        return _status;
    }

    /// <summary>How much of the text has been read (for tests: reading is lazy).</summary>
    internal int ReadLength => _pos;

    /// <summary>Reads the bytes appended since the last call.</summary>
    private void Scan()
    {
        ReadOnlySpan<byte> s = _raw.Span;
        int i = _pos;
        while (i < s.Length && _status <= ToolInputStatus.Complete)
        {
            i = _lex switch
            {
                Lex.String => ScanString(s, i),
                Lex.Number => ScanNumber(s, i),
                Lex.Literal => ScanLiteral(s, i),
                _ => ScanStructural(s, i),
            };
        }

        // After an error the position stays on the offending byte; the text keeps growing.
        if (_status <= ToolInputStatus.Complete)
        {
            _pos = i;
        }
    }

    private int Fail(int i, ToolInputStatus status = ToolInputStatus.Malformed)
    {
        _status = status;
        _pos = i;
        _trackText = false;
        return int.MaxValue;
    }

    private int ScanStructural(ReadOnlySpan<byte> s, int i)
    {
        byte b = s[i];
        if (b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            return i + 1;
        }

        switch (_lex)
        {
            case Lex.Value:
                return StartValue(b, i);
            case Lex.ValueOrClose:
                return b == (byte)']' ? Close(i) : StartValue(b, i);
            case Lex.Name:
            case Lex.NameOrClose:
                if (b == (byte)'"')
                {
                    StartString(i, isName: true);
                    return i + 1;
                }

                return b == (byte)'}' && _lex == Lex.NameOrClose ? Close(i) : Fail(i);
            case Lex.Colon:
                if (b != (byte)':')
                {
                    return Fail(i);
                }

                _lex = Lex.Value;
                return i + 1;
            default: // AfterValue
                if (_depth == 0)
                {
                    return Fail(i);
                }

                bool isArray = _containers[_depth - 1].IsArray;
                if (b == (byte)',')
                {
                    _lex = isArray ? Lex.Value : Lex.Name;
                    return i + 1;
                }

                return b == (isArray ? (byte)']' : (byte)'}') ? Close(i) : Fail(i);
        }
    }

    private int StartValue(byte b, int i)
    {
        if (InTopLevelObject)
        {
            _valueStart = i;
        }

        switch (b)
        {
            case (byte)'{':
            case (byte)'[':
                if (_depth == MaxDepth)
                {
                    return Fail(i, ToolInputStatus.TooDeep);
                }

                if (_depth == _containers.Length)
                {
                    Array.Resize(ref _containers, Math.Min(_containers.Length * 2, MaxDepth));
                }

                _containers[_depth++] = new Container(b == (byte)'[', i + 1);
                _lex = b == (byte)'[' ? Lex.ValueOrClose : Lex.NameOrClose;
                return i + 1;
            case (byte)'"':
                StartString(i, isName: false);
                if (InTopLevelObject)
                {
                    _trackText = true;
                    _text.Clear();
                }

                return i + 1;
            case (byte)'-':
                _lex = Lex.Number;
                _sub = NumMinus;
                return i + 1;
            case (byte)'0':
                _lex = Lex.Number;
                _sub = NumZero;
                return i + 1;
            case >= (byte)'1' and <= (byte)'9':
                _lex = Lex.Number;
                _sub = NumInt;
                return i + 1;
            case (byte)'t':
            case (byte)'f':
            case (byte)'n':
                _lex = Lex.Literal;
                _literal = b;
                _sub = 1;
                return i + 1;
            default:
                return Fail(i);
        }
    }

    private int Close(int i)
    {
        _depth--;
        ValueDone(i + 1);
        return i + 1;
    }

    /// <summary>A value ended just before <paramref name="end"/>, at the current depth.</summary>
    private void ValueDone(int end)
    {
        _lex = Lex.AfterValue;
        if (_depth == 0)
        {
            _status = ToolInputStatus.Complete;
            return;
        }

        _containers[_depth - 1].Cut = end;
        if (InTopLevelObject && _hasName)
        {
            AddProperty(end);
        }
    }

    private void AddProperty(int valueEnd)
    {
        if (_propertyCount == _properties.Length)
        {
            PropertyEntry[] next = ArrayPool<PropertyEntry>.Shared.Rent(Math.Max(16, _propertyCount * 2));
            _properties.AsSpan(0, _propertyCount).CopyTo(next);
            if (_properties.Length > 0)
            {
                ArrayPool<PropertyEntry>.Shared.Return(_properties);
            }

            _properties = next;
        }

        _properties[_propertyCount++] = new PropertyEntry(_nameStart, _nameLength, _nameEscaped, _valueStart, valueEnd - _valueStart);
        _hasName = false;
        _valueStart = -1;
        _trackText = false;
    }

    private void StartString(int i, bool isName)
    {
        _lex = Lex.String;
        _stringIsName = isName;
        _stringEscaped = false;
        _sub = 0;
        _pendingHigh = 0;
        _tokenStart = i;
    }

    private int ScanString(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length)
        {
            if (_sub != 0)
            {
                if (!ScanEscapeByte(s[i]))
                {
                    return Fail(i);
                }

                i++;
                continue;
            }

            ReadOnlySpan<byte> rest = s.Slice(i);
            int run = JsonStringStops.IndexOf(rest);
            if (run < 0)
            {
                run = rest.Length;
            }

            if (run > 0)
            {
                if (_trackText)
                {
                    FlushPendingHigh();
                    _text.Append(rest.Slice(0, run));
                }
                else
                {
                    _pendingHigh = 0;
                }

                i += run;
                if (i == s.Length)
                {
                    break;
                }
            }

            byte b = s[i];
            if (b == (byte)'\\')
            {
                _stringEscaped = true;
                _escapeStart = i;
                _sub = 1;
                i++;
            }
            else if (b == (byte)'"')
            {
                return EndString(i);
            }
            else
            {
                return Fail(i); // a raw control character
            }
        }

        return i;
    }

    private int EndString(int quote)
    {
        if (_trackText)
        {
            FlushPendingHigh();
        }

        _pendingHigh = 0;
        if (!_stringIsName)
        {
            ValueDone(quote + 1);
            return quote + 1;
        }

        if (InTopLevelObject)
        {
            int start = _tokenStart;
            _hasName = true;
            _nameStart = start + 1;
            _nameLength = quote - start - 1;
            _nameEscaped = _stringEscaped;
            _valueStart = -1;
        }

        _lex = Lex.Colon;
        return quote + 1;
    }

    private bool ScanEscapeByte(byte b)
    {
        if (_sub == 1)
        {
            byte unescaped;
            switch (b)
            {
                case (byte)'"': unescaped = (byte)'"'; break;
                case (byte)'\\': unescaped = (byte)'\\'; break;
                case (byte)'/': unescaped = (byte)'/'; break;
                case (byte)'b': unescaped = (byte)'\b'; break;
                case (byte)'f': unescaped = (byte)'\f'; break;
                case (byte)'n': unescaped = (byte)'\n'; break;
                case (byte)'r': unescaped = (byte)'\r'; break;
                case (byte)'t': unescaped = (byte)'\t'; break;
                case (byte)'u':
                    _sub = 2;
                    _hex = 0;
                    return true;
                default:
                    return false;
            }

            _sub = 0;
            if (_trackText)
            {
                FlushPendingHigh();
                _text.Append(unescaped);
            }
            else
            {
                _pendingHigh = 0;
            }

            return true;
        }

        int digit = b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
        if ((uint)digit > 15 || (b > '9' && (b | 0x20) < 'a'))
        {
            return false;
        }

        _hex = (_hex << 4) | digit;
        if (++_sub == 6)
        {
            _sub = 0;
            CodeUnit(_hex);
        }

        return true;
    }

    /// <summary>A <c>\uXXXX</c> escape completed: pairs surrogates; a lone one becomes U+FFFD (as <see cref="JsonUnescaper"/> does).</summary>
    private void CodeUnit(int cu)
    {
        if (cu is >= 0xD800 and <= 0xDBFF)
        {
            if (_trackText)
            {
                FlushPendingHigh();
            }

            _pendingHigh = cu;
            _pendingHighStart = _escapeStart;
            return;
        }

        if (cu is >= 0xDC00 and <= 0xDFFF && _pendingHigh != 0)
        {
            cu = 0x10000 + ((_pendingHigh - 0xD800) << 10) + (cu - 0xDC00);
            _pendingHigh = 0;
        }
        else if (cu is >= 0xDC00 and <= 0xDFFF)
        {
            cu = 0xFFFD;
        }

        if (_trackText)
        {
            FlushPendingHigh();
            AppendCodePoint(cu);
        }

        _pendingHigh = 0;
    }

    private void FlushPendingHigh()
    {
        if (_pendingHigh != 0)
        {
            _pendingHigh = 0;
            AppendCodePoint(0xFFFD);
        }
    }

    private void AppendCodePoint(int cp)
    {
        Span<byte> d = _text.GetTail(4);
        int n;
        if (cp < 0x80)
        {
            d[0] = (byte)cp;
            n = 1;
        }
        else if (cp < 0x800)
        {
            d[0] = (byte)(0xC0 | (cp >> 6));
            d[1] = (byte)(0x80 | (cp & 0x3F));
            n = 2;
        }
        else if (cp < 0x10000)
        {
            d[0] = (byte)(0xE0 | (cp >> 12));
            d[1] = (byte)(0x80 | ((cp >> 6) & 0x3F));
            d[2] = (byte)(0x80 | (cp & 0x3F));
            n = 3;
        }
        else
        {
            d[0] = (byte)(0xF0 | (cp >> 18));
            d[1] = (byte)(0x80 | ((cp >> 12) & 0x3F));
            d[2] = (byte)(0x80 | ((cp >> 6) & 0x3F));
            d[3] = (byte)(0x80 | (cp & 0x3F));
            n = 4;
        }

        _text.Advance(n);
    }

    private int ScanNumber(ReadOnlySpan<byte> s, int i)
    {
        for (; i < s.Length; i++)
        {
            byte b = s[i];
            bool digit = b is >= (byte)'0' and <= (byte)'9';
            switch (_sub)
            {
                case NumMinus:
                    if (!digit)
                    {
                        return Fail(i);
                    }

                    _sub = b == (byte)'0' ? NumZero : NumInt;
                    break;
                case NumZero:
                case NumInt:
                case NumFrac:
                    if (digit && _sub != NumZero)
                    {
                        break;
                    }

                    if (b == (byte)'.' && _sub != NumFrac)
                    {
                        _sub = NumDot;
                    }
                    else if (b is (byte)'e' or (byte)'E')
                    {
                        _sub = NumExp;
                    }
                    else if (digit)
                    {
                        return Fail(i); // a leading zero
                    }
                    else
                    {
                        ValueDone(i);
                        return i; // the delimiter is read as structure
                    }

                    break;
                case NumDot:
                    if (!digit)
                    {
                        return Fail(i);
                    }

                    _sub = NumFrac;
                    break;
                case NumExp:
                    if (b is (byte)'+' or (byte)'-')
                    {
                        _sub = NumExpSign;
                        break;
                    }

                    if (!digit)
                    {
                        return Fail(i);
                    }

                    _sub = NumExpDigits;
                    break;
                case NumExpSign:
                    if (!digit)
                    {
                        return Fail(i);
                    }

                    _sub = NumExpDigits;
                    break;
                default: // NumExpDigits
                    if (!digit)
                    {
                        ValueDone(i);
                        return i;
                    }

                    break;
            }
        }

        return i;
    }

    private int ScanLiteral(ReadOnlySpan<byte> s, int i)
    {
        ReadOnlySpan<byte> word = _literal switch
        {
            (byte)'t' => "true"u8,
            (byte)'f' => "false"u8,
            _ => "null"u8,
        };

        for (; i < s.Length; i++)
        {
            if (s[i] != word[_sub])
            {
                return Fail(i);
            }

            if (++_sub == word.Length)
            {
                ValueDone(i + 1);
                return i + 1;
            }
        }

        return i;
    }

    /// <summary>Where the snapshot cuts the text, and whether it closes a string there.</summary>
    private SnapshotShape GetSnapshotShape()
    {
        CatchUp();
        if (_lex == Lex.String && !_stringIsName)
        {
            // An open string value keeps its text so far, without a half escape or a lone high surrogate.
            int end = _pos;
            if (_sub != 0)
            {
                end = _escapeStart;
            }

            if (_pendingHigh != 0 && _pendingHighStart < end)
            {
                end = _pendingHighStart;
            }

            end = TrimPartialUtf8(_raw.Span, _tokenStart + 1, end);
            return new SnapshotShape(end, CloseString: true, Empty: false);
        }

        if (_depth == 0)
        {
            // The root is whole (its trailing whitespace kept), or has not begun, or is an unfinished scalar.
            return _lex == Lex.AfterValue ? new SnapshotShape(_pos, false, false) : new SnapshotShape(0, false, Empty: true);
        }

        return new SnapshotShape(_containers[_depth - 1].Cut, false, false);
    }

    /// <summary>Moves <paramref name="end"/> back to the start of a UTF-8 sequence it cuts (not before <paramref name="start"/>).</summary>
    private static int TrimPartialUtf8(ReadOnlySpan<byte> s, int start, int end)
    {
        int k = end;
        while (k > start && k > end - 4 && (s[k - 1] & 0xC0) == 0x80)
        {
            k--;
        }

        if (k > start && s[k - 1] >= 0xC0)
        {
            byte lead = s[k - 1];
            int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (end - (k - 1) < need)
            {
                return k - 1;
            }
        }

        return end;
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Container(bool isArray, int cut)
    {
        public readonly bool IsArray = isArray;

        /// <summary>Where its last complete member ends (just after the bracket while it has none).</summary>
        public int Cut = cut;
    }

    private readonly record struct PropertyEntry(int NameStart, int NameLength, bool NameEscaped, int ValueStart, int ValueLength);

    private readonly record struct SnapshotShape(int Cut, bool CloseString, bool Empty);
}
