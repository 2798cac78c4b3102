using System;
using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;

namespace SseCore.Cli.Output;

/// <summary>
/// The escaping of <c>ssecat --jsonl</c> strings, part of its output contract: the fewest escapes
/// that keep a line one line and safe in a terminal, everything else as UTF-8 text.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>"</c> and <c>\</c> become <c>\"</c> and <c>\\</c>; U+0008, U+0009, U+000A, U+000C
/// and U+000D become <c>\b</c>, <c>\t</c>, <c>\n</c>, <c>\f</c> and <c>\r</c>.</item>
/// <item>Every other control character (U+0000–U+001F, U+007F–U+009F) and U+2028, U+2029 become
/// <c>\uXXXX</c> with upper-case hex digits.</item>
/// <item>Every other character, U+FFFD and characters outside the BMP included, is written as
/// its UTF-8 bytes.</item>
/// <item>Invalid UTF-8 is replaced by U+FFFD, one per maximal subpart, as the WHATWG UTF-8
/// decoder does (via <see cref="Rune.DecodeFromUtf8"/>, which follows the same rule).</item>
/// </list>
/// System.Text.Json's built-in encoders escape far more (all non-ASCII, or at least everything
/// outside the BMP and HTML-sensitive characters), which makes text unreadable.
/// </remarks>
internal sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    private const int MaxEscapeLength = 6; // \uXXXX

    private static readonly byte[] ReplacementUtf8 = [0xEF, 0xBF, 0xBD];

    private MinimalJsonEncoder()
    {
    }

    /// <summary>The one instance.</summary>
    public static MinimalJsonEncoder Instance { get; } = new();

    /// <inheritdoc />
    public override int MaxOutputCharactersPerInputCharacter => MaxEscapeLength;

    /// <inheritdoc />
    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20
        || unicodeScalar == '"'
        || unicodeScalar == '\\'
        || (unicodeScalar >= 0x7F && unicodeScalar <= 0x9F)
        || unicodeScalar == 0x2028
        || unicodeScalar == 0x2029;

    /// <inheritdoc />
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chars = new ReadOnlySpan<char>(text, textLength);
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                {
                    i++;
                    continue;
                }

                return i; // A lone surrogate: EncodeCore replaces it.
            }

            if (char.IsLowSurrogate(c) || WillEncode(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Span<byte> escape = stackalloc byte[MaxEscapeLength];
        int length = WriteEscape(unicodeScalar, escape);
        if (length > 0)
        {
            if (bufferLength < length)
            {
                numberOfCharactersWritten = 0;
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                buffer[i] = (char)escape[i];
            }

            numberOfCharactersWritten = length;
            return true;
        }

        // Not escaped: the scalar itself (a lone surrogate is not a scalar; U+FFFD stands for it).
        Rune rune = Rune.TryCreate(unicodeScalar, out Rune r) ? r : Rune.ReplacementChar;
        return rune.TryEncodeToUtf16(new Span<char>(buffer, bufferLength), out numberOfCharactersWritten);
    }

    /// <inheritdoc />
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        int i = 0;
        while (i < utf8Text.Length)
        {
            byte b = utf8Text[i];
            if (b < 0x80)
            {
                if (b < 0x20 || b == (byte)'"' || b == (byte)'\\' || b == 0x7F)
                {
                    return i;
                }

                i++;
                continue;
            }

            if (Rune.DecodeFromUtf8(utf8Text.Slice(i), out Rune rune, out int consumed) != OperationStatus.Done || WillEncode(rune.Value))
            {
                return i;
            }

            i += consumed;
        }

        return -1;
    }

    /// <inheritdoc />
    public override OperationStatus EncodeUtf8(ReadOnlySpan<byte> utf8Source, Span<byte> utf8Destination, out int bytesConsumed, out int bytesWritten, bool isFinalBlock = true)
    {
        int read = 0;
        int written = 0;
        OperationStatus status = OperationStatus.Done;
        Span<byte> escape = stackalloc byte[MaxEscapeLength];
        while (read < utf8Source.Length)
        {
            ReadOnlySpan<byte> rest = utf8Source.Slice(read);
            OperationStatus decoded = Rune.DecodeFromUtf8(rest, out Rune rune, out int consumed);
            if (decoded == OperationStatus.NeedMoreData && !isFinalBlock)
            {
                status = OperationStatus.NeedMoreData;
                break;
            }

            scoped ReadOnlySpan<byte> output;
            if (decoded != OperationStatus.Done)
            {
                // Invalid or truncated: one U+FFFD for the maximal subpart Rune reported.
                output = ReplacementUtf8;
            }
            else
            {
                int length = WriteEscape(rune.Value, escape);
                output = length > 0 ? escape.Slice(0, length) : rest.Slice(0, consumed);
            }

            if (!output.TryCopyTo(utf8Destination.Slice(written)))
            {
                status = OperationStatus.DestinationTooSmall;
                break;
            }

            written += output.Length;
            read += consumed;
        }

        bytesConsumed = read;
        bytesWritten = written;
        return status;
    }

    /// <summary>Writes the escape of a scalar that <see cref="WillEncode"/> selects; 0 for any other.</summary>
    private int WriteEscape(int scalar, Span<byte> destination)
    {
        if (!WillEncode(scalar))
        {
            return 0;
        }

        char shortForm = scalar switch
        {
            '"' => '"',
            '\\' => '\\',
            '\b' => 'b',
            '\t' => 't',
            '\n' => 'n',
            '\f' => 'f',
            '\r' => 'r',
            _ => '\0',
        };

        destination[0] = (byte)'\\';
        if (shortForm != '\0')
        {
            destination[1] = (byte)shortForm;
            return 2;
        }

        const string Hex = "0123456789ABCDEF";
        destination[1] = (byte)'u';
        destination[2] = (byte)Hex[(scalar >> 12) & 0xF];
        destination[3] = (byte)Hex[(scalar >> 8) & 0xF];
        destination[4] = (byte)Hex[(scalar >> 4) & 0xF];
        destination[5] = (byte)Hex[scalar & 0xF];
        return 6;
    }
}
