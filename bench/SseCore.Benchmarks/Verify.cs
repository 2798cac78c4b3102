using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Tasks;
using SseCore.Anthropic;
using NetSse = System.Net.ServerSentEvents;
using SdkMessages = global::Anthropic.Models.Messages;

namespace SseCore.Benchmarks;

/// <summary>
/// Checks run in every [GlobalSetup] before anything is timed: a benchmark whose parser
/// disagrees with the generator (event count, type count, data bytes, or the digest of every
/// event's type and data) throws, and BenchmarkDotNet reports it instead of a number.
/// </summary>
internal static class Verify
{
    public static void Same(string benchmark, Tally actual, Expected expected) => Same(benchmark, actual, expected.Tally);

    public static void Same(string benchmark, Task<Tally> actual, Expected expected) =>
        Same(benchmark, actual.GetAwaiter().GetResult(), expected.Tally);

    public static void Same(string benchmark, Tally actual, Tally expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{benchmark}: got {actual}, expected {expected}.");
        }
    }

    public static void Same(string benchmark, Task<Tally> actual, Tally expected) =>
        Same(benchmark, actual.GetAwaiter().GetResult(), expected);

    /// <summary>A text-streaming benchmark's own result: the number of text deltas and their length, in bytes or in chars.</summary>
    public static void Text(string benchmark, TextTally actual, MessageExpected expected, bool utf16)
    {
        var want = new TextTally(expected.TextDeltas, utf16 ? expected.Text.Length : expected.TextUtf8Bytes);
        if (actual != want)
        {
            throw new InvalidOperationException($"{benchmark}: got {actual}, expected {want} ({(utf16 ? "UTF-16 chars" : "UTF-8 bytes")}).");
        }
    }

    public static void Text(string benchmark, Task<CountingSink> actual, MessageExpected expected, bool utf16) =>
        Text(benchmark, actual.GetAwaiter().GetResult().Tally, expected, utf16);

    /// <summary>The same loop run with a <see cref="CollectingSink"/>: the number of text deltas and the whole text, character for character.</summary>
    public static void Text(string benchmark, CollectingSink sink, MessageExpected expected)
    {
        if (sink.Deltas != expected.TextDeltas)
        {
            throw new InvalidOperationException($"{benchmark}: {sink.Deltas} text deltas, expected {expected.TextDeltas}.");
        }

        SameText(benchmark, sink.Text, expected.Text);
    }

    public static void Text(string benchmark, Task<CollectingSink> sink, MessageExpected expected) =>
        Text(benchmark, sink.GetAwaiter().GetResult(), expected);

    /// <summary>A decoding loop run with a <see cref="CollectingSink"/>: the whole text, and the joined tool-input fragments, character for character.</summary>
    public static void Decoded(string benchmark, CollectingSink sink, MessageExpected expected)
    {
        Text(benchmark, sink, expected);
        SameText(benchmark + " (partial_json)", sink.Json, string.Concat(expected.ToolInputs));
    }

    public static void Decoded(string benchmark, Task<CollectingSink> sink, MessageExpected expected) =>
        Decoded(benchmark, sink.GetAwaiter().GetResult(), expected);

    /// <summary>A decoding benchmark's own result: events, text deltas and tool-input fragments, and their lengths in bytes or chars.</summary>
    public static void Decoded(string benchmark, DecodeTally actual, MessagePayload payload, bool utf16)
    {
        MessageExpected m = payload.Message;
        var want = new DecodeTally(
            payload.Sse.Expected.Events,
            m.TextDeltas,
            utf16 ? m.Text.Length : m.TextUtf8Bytes,
            m.JsonDeltas,
            utf16 ? m.JsonChars : m.JsonUtf8Bytes);
        if (actual != want)
        {
            throw new InvalidOperationException($"{benchmark}: got {actual}, expected {want} ({(utf16 ? "UTF-16 chars" : "UTF-8 bytes")}).");
        }
    }

    public static void Decoded(string benchmark, Task<CountingSink> actual, MessagePayload payload, bool utf16) =>
        Decoded(benchmark, actual.GetAwaiter().GetResult().DecodeTally, payload, utf16);

    /// <summary>A count that must equal what the generator recorded.</summary>
    public static void Count(string benchmark, string what, long actual, long expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{benchmark}: {actual} {what}, expected {expected}.");
        }
    }

    /// <summary>SseCore's final message: complete blocks, the whole text, and every tool input.</summary>
    public static void FinalMessage(string benchmark, Message message, MessageExpected expected)
    {
        var texts = new List<string>();
        var inputs = new List<string>();
        foreach (ContentBlock block in message.Content)
        {
            if (!block.IsComplete)
            {
                throw new InvalidOperationException($"{benchmark}: block {block.Index} is not complete.");
            }

            switch (block)
            {
                case TextBlock text:
                    texts.Add(text.Text);
                    break;
                case ToolUseBlock tool:
                    inputs.Add(tool.Input is { } input ? input.GetRawText() : throw new InvalidOperationException($"{benchmark}: tool input {tool.Index} did not parse: {tool.InputJson}"));
                    break;
                default:
                    throw new InvalidOperationException($"{benchmark}: unexpected block {block.GetType().Name}.");
            }
        }

        SameMessage(benchmark, message.Content.Count, texts, inputs, expected);
    }

    public static void FinalMessage(string benchmark, Task<Message> message, MessageExpected expected) =>
        FinalMessage(benchmark, message.GetAwaiter().GetResult(), expected);

    /// <summary>The Anthropic SDK's final message: the whole text, and every tool input.</summary>
    public static void FinalMessage(string benchmark, Task<SdkMessages.Message> task, MessageExpected expected)
    {
        SdkMessages.Message message = task.GetAwaiter().GetResult();
        var texts = new List<string>();
        var inputs = new List<string>();
        foreach (SdkMessages.ContentBlock block in message.Content)
        {
            if (block.TryPickText(out SdkMessages.TextBlock? text))
            {
                texts.Add(text.Text);
            }
            else if (block.TryPickToolUse(out SdkMessages.ToolUseBlock? tool))
            {
                inputs.Add(JsonSerializer.Serialize(tool.Input));
            }
            else
            {
                throw new InvalidOperationException($"{benchmark}: unexpected block {block.Type}.");
            }
        }

        SameMessage(benchmark, message.Content.Count, texts, inputs, expected);
    }

    private static void SameMessage(string benchmark, int blocks, List<string> texts, List<string> inputs, MessageExpected expected)
    {
        if (blocks != expected.Blocks || inputs.Count != expected.ToolInputs.Count)
        {
            throw new InvalidOperationException($"{benchmark}: {blocks} blocks ({inputs.Count} tool_use), expected {expected.Blocks} ({expected.ToolInputs.Count}).");
        }

        SameText(benchmark, string.Concat(texts), expected.Text);
        for (int i = 0; i < inputs.Count; i++)
        {
            if (Canonical(inputs[i]) != Canonical(expected.ToolInputs[i]))
            {
                throw new InvalidOperationException($"{benchmark}: tool input {i} differs: {inputs[i]}");
            }
        }
    }

    private static void SameText(string benchmark, string actual, string expected)
    {
        if (actual != expected)
        {
            int at = actual.Zip(expected).TakeWhile(p => p.First == p.Second).Count();
            throw new InvalidOperationException($"{benchmark}: text of {actual.Length} chars, expected {expected.Length}; first difference at {at}.");
        }
    }

    /// <summary>JSON re-written compact with the same escaping, so that equal values compare equal as text.</summary>
    private static string Canonical(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The digest of every event's type and data, by SseCore over a span and over a sequence, and by System.Net.ServerSentEvents.</summary>
    public static void Digests(Payload payload, ReadOnlySequence<byte> sequence, SseParserOptions? options = null)
    {
        ulong expected = payload.Expected.Digest;
        Check("SseCore (span)", DigestSseCore(new SseTokenizer(payload.Bytes.AsSpan(), true, new SseParserState(options))), expected);
        Check("SseCore (sequence)", DigestSseCore(new SseTokenizer(sequence, true, new SseParserState(options))), expected);
        Check("System.Net.ServerSentEvents", DigestPeer(new MemoryStream(payload.Bytes, writable: false)), expected);
    }

    private static void Check(string who, ulong actual, ulong expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{who}: event digest {actual:X16}, expected {expected:X16}.");
        }
    }

    private static ulong DigestSseCore(SseTokenizer tokenizer)
    {
        var digest = new EventDigest();
        while (tokenizer.TryRead(out SseEvent e))
        {
            digest.Add(e.EventType, e.Data);
        }

        tokenizer.State.Dispose();
        return digest.Value;
    }

    private static ulong DigestPeer(Stream stream)
    {
        var box = new DigestBox();
        foreach (NetSse.SseItem<int> item in NetSse.SseParser.Create(stream, box.Add).Enumerate())
        {
            _ = item;
        }

        return box.Digest.Value;
    }

    private sealed class DigestBox
    {
        public EventDigest Digest;

        public int Add(string type, ReadOnlySpan<byte> data)
        {
            Digest.Add(Encoding.UTF8.GetBytes(type), data);
            return 0;
        }
    }
}

/// <summary>A read-only stream over an array whose every read returns at most <paramref name="chunk"/> bytes, sync or async.</summary>
internal sealed class ChunkedReadStream(byte[] bytes, int chunk) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public void Rewind() => _position = 0;

    public override int Read(Span<byte> buffer)
    {
        int count = Math.Min(Math.Min(buffer.Length, chunk), bytes.Length - _position);
        if (count <= 0)
        {
            return 0;
        }

        bytes.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int ReadByte() => _position < bytes.Length ? bytes[_position++] : -1;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, System.Threading.CancellationToken cancellationToken = default) =>
        new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, System.Threading.CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
