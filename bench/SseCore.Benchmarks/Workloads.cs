using System;
using System.Buffers;
using System.IO;
using System.Threading.Tasks;
using NetSse = System.Net.ServerSentEvents;

namespace SseCore.Benchmarks;

/// <summary>What every benchmark computes over a stream, so that all of them do equivalent work.</summary>
/// <param name="Events">Events seen.</param>
/// <param name="Deltas">Events whose type is <c>content_block_delta</c> (compared as bytes or as a string).</param>
/// <param name="DataBytes">Sum of the data lengths.</param>
public readonly record struct Tally(long Events, long Deltas, long DataBytes);

/// <summary>
/// The measured loops, shared by the benchmark classes. Each one parses a whole stream, and per
/// event adds the data length and compares the event type to <c>content_block_delta</c>.
/// </summary>
internal static class Workloads
{
    public const string DeltaTypeString = "content_block_delta";

    public static ReadOnlySpan<byte> DeltaType => "content_block_delta"u8;

    /// <summary>SseCore: one tokenizer over the whole stream as one span.</summary>
    public static Tally TokenizerSpan(ReadOnlySpan<byte> stream, SseParserOptions? options = null)
    {
        using var state = new SseParserState(options);
        var tokenizer = new SseTokenizer(stream, isFinalBlock: true, state);
        long events = 0, deltas = 0, bytes = 0;
        while (tokenizer.TryRead(out SseEvent e))
        {
            events++;
            bytes += e.Data.Length;
            if (e.EventTypeEquals(DeltaType))
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>SseCore: one tokenizer over the whole stream as a multi-segment sequence.</summary>
    public static Tally TokenizerSequence(ReadOnlySequence<byte> stream, SseParserOptions? options = null)
    {
        using var state = new SseParserState(options);
        var tokenizer = new SseTokenizer(stream, isFinalBlock: true, state);
        long events = 0, deltas = 0, bytes = 0;
        while (tokenizer.TryRead(out SseEvent e))
        {
            events++;
            bytes += e.Data.Length;
            if (e.EventTypeEquals(DeltaType))
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>SseCore: the stream fed in buffers of <paramref name="bufferSize"/> bytes, a new tokenizer per buffer over one state.</summary>
    public static Tally TokenizerBuffers(ReadOnlySpan<byte> stream, int bufferSize, SseParserOptions? options = null)
    {
        using var state = new SseParserState(options);
        long events = 0, deltas = 0, bytes = 0;
        for (int offset = 0; offset < stream.Length; offset += bufferSize)
        {
            int length = Math.Min(bufferSize, stream.Length - offset);
            var tokenizer = new SseTokenizer(stream.Slice(offset, length), isFinalBlock: offset + length == stream.Length, state);
            while (tokenizer.TryRead(out SseEvent e))
            {
                events++;
                bytes += e.Data.Length;
                if (e.EventTypeEquals(DeltaType))
                {
                    deltas++;
                }
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>SseCore: <see cref="SseReader"/> over a <see cref="Stream"/> (a <c>PipeReader</c> inside).</summary>
    public static async Task<Tally> ReaderAsync(Stream stream, SseParserOptions? options = null)
    {
        await using SseReader reader = SseReader.Create(stream, options, leaveOpen: true);
        long events = 0, deltas = 0, bytes = 0;
        while (await reader.MoveNextAsync().ConfigureAwait(false))
        {
            SseEvent e = reader.Current;
            events++;
            bytes += e.Data.Length;
            if (e.EventTypeEquals(DeltaType))
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>SseCore: <see cref="SseParser.Parse{THandler}(ReadOnlySpan{byte}, ref THandler, SseParserOptions?)"/> with a struct handler.</summary>
    public static Tally Handler(ReadOnlySpan<byte> stream, SseParserOptions? options = null)
    {
        var handler = new TallyHandler();
        SseParser.Parse(stream, ref handler, options);
        return new Tally(handler.Events, handler.Deltas, handler.DataBytes);
    }

    /// <summary>System.Net.ServerSentEvents, byte overload (item = data length), enumerated synchronously.</summary>
    public static Tally PeerBytesSync(Stream stream)
    {
        long events = 0, deltas = 0, bytes = 0;
        foreach (NetSse.SseItem<int> item in NetSse.SseParser.Create(stream, static (_, data) => data.Length).Enumerate())
        {
            events++;
            bytes += item.Data;
            if (item.EventType == DeltaTypeString)
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>System.Net.ServerSentEvents, byte overload (item = data length), enumerated asynchronously.</summary>
    public static async Task<Tally> PeerBytesAsync(Stream stream)
    {
        long events = 0, deltas = 0, bytes = 0;
        await foreach (NetSse.SseItem<int> item in NetSse.SseParser.Create(stream, static (_, data) => data.Length).EnumerateAsync().ConfigureAwait(false))
        {
            events++;
            bytes += item.Data;
            if (item.EventType == DeltaTypeString)
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    /// <summary>System.Net.ServerSentEvents, string overload (what the Anthropic C# SDK uses), enumerated asynchronously.</summary>
    public static async Task<Tally> PeerStringAsync(Stream stream)
    {
        long events = 0, deltas = 0, bytes = 0;
        await foreach (NetSse.SseItem<string> item in NetSse.SseParser.Create(stream).EnumerateAsync().ConfigureAwait(false))
        {
            events++;
            bytes += item.Data.Length;
            if (item.EventType == DeltaTypeString)
            {
                deltas++;
            }
        }

        return new Tally(events, deltas, bytes);
    }

    private struct TallyHandler : ISseHandler
    {
        public long Events;
        public long Deltas;
        public long DataBytes;

        public void OnEvent(SseEvent sseEvent)
        {
            Events++;
            DataBytes += sseEvent.Data.Length;
            if (sseEvent.EventTypeEquals(DeltaType))
            {
                Deltas++;
            }
        }

        public readonly void OnComment(ReadOnlySpan<byte> comment)
        {
        }
    }
}
