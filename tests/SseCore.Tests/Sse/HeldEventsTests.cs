using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using FsCheck.Xunit;
using SseCore.Tests.Infrastructure;

namespace SseCore.Tests.Sse;

/// <summary>
/// <c>SseReader.ReadHeldEvents</c> (what <c>MessageStream.GetFinalMessageAsync</c> reads through):
/// the events of the held buffer through one tokenizer, which builds neither the position nor the
/// event's memory per event. Left after any event, the reader must be exactly where
/// <c>MoveNextAsync</c> would have left it: that event current, and the next read right after it.
/// </summary>
public class HeldEventsTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "event: a\r\ndata: 1\r\n\r\n" +
        "data: two\ndata: lines\n\n" +
        ": a comment\n" +
        "id: 7\nevent: b\ndata: x\n\n" +
        "data: {\"k\": \"v\"}\r\r" +
        "retry: 3000\nevent: long\ndata: " + new string('z', 300) + "\n\n" +
        "event: c\ndata: last\n\n");

    [Property(MaxTest = 400)]
    public async Task LeftAfterAnyEvent_TheReaderGoesOnAsMoveNextWould(int[] cuts, bool emptyBetween, byte movesFirst, byte heldCount)
    {
        List<string> expected = await ReadAll(cuts, emptyBetween, 0, 0);
        List<string> actual = await ReadAll(cuts, emptyBetween, movesFirst % 3, (heldCount % 9) - 1);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// Every event as text: <paramref name="first"/> by MoveNextAsync, up to <paramref name="held"/>
    /// held (0: the held events opened and left without a step; -1: not opened), the rest by
    /// MoveNextAsync.
    /// </summary>
    private static async Task<List<string>> ReadAll(int[] cuts, bool emptyBetween, int first, int held)
    {
        ReadOnlySequence<byte> sequence = Sequences.SplitAt(Body, cuts.Select(c => (int)((uint)c % (uint)Body.Length)), emptyBetween);
        await using var reader = new SseReader(PipeReader.Create(sequence));
        var events = new List<string>();
        for (int i = 0; i < first; i++)
        {
            Assert.True(await reader.MoveNextAsync());
            events.Add(Describe(reader.Current));
        }

        if (held >= 0)
        {
            SseReader.HeldEvents heldEvents = reader.ReadHeldEvents();
            bool last = false;
            for (int i = 0; i < held && (last = heldEvents.MoveNext()); i++)
            {
                events.Add(Describe(heldEvents.Current));
            }

            heldEvents.Leave();
            if (last || (held == 0 && first > 0))
            {
                // The event the caller stopped at (or, with no step, the one current before) is the reader's current one.
                Assert.Equal(events[^1], Describe(reader.Current));
            }
        }

        while (await reader.MoveNextAsync())
        {
            events.Add(Describe(reader.Current));
        }

        return events;
    }

    private static string Describe(SseEvent e) =>
        $"{e.EventNumber} @{e.StreamOffset} {e.GetEventTypeString()} [{e.GetDataString()}] id={Encoding.UTF8.GetString(e.LastEventId)} retry={e.ReconnectionTime}";
}
