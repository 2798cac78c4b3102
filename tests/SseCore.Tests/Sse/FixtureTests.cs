using System.Text;
using System.Text.Json;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Reference;

namespace SseCore.Tests.Sse;

/// <summary>
/// The Anthropic fixtures at the SSE level: every fixture, with its own line ends and re-encoded
/// with LF, CRLF and CR, under every chunking, gives the events its README describes.
/// </summary>
public class FixtureTests
{
    public static TheoryData<string, string> FixturesAndLineEnds()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in Fixtures.Names)
        {
            foreach (string end in new[] { "as-is", "LF", "CRLF", "CR" })
            {
                data.Add(name, end);
            }
        }

        return data;
    }

    private static byte[] Load(string name, string lineEnd)
    {
        byte[] raw = Fixtures.Read(name);
        return lineEnd switch
        {
            "LF" => Chunkings.ReencodeLineEnds(raw, "\n"),
            "CRLF" => Chunkings.ReencodeLineEnds(raw, "\r\n"),
            "CR" => Chunkings.ReencodeLineEnds(raw, "\r"),
            _ => raw,
        };
    }

    [Theory]
    [MemberData(nameof(FixturesAndLineEnds))]
    public void Fixture_UnderEveryChunking_MatchesTheReferenceModel(string name, string lineEnd)
    {
        byte[] input = Load(name, lineEnd);
        SseOutcome expected = WhatwgReference.Parse(input);
        Assert.NotEmpty(expected.Events);
        Chunkings.AssertAllChunkings(input, expected);
    }

    [Theory]
    [MemberData(nameof(FixturesAndLineEnds))]
    public void Fixture_EveryEventIsNamed_AndItsJsonTypeEqualsTheName(string name, string lineEnd)
    {
        // Fixtures README: "The real API sends exactly one data: line per event and names every
        // event; data.type always equals the event name." (sse_edge_cases splits one on purpose.)
        SseOutcome outcome = SseHarness.ParseWhole(Load(name, lineEnd));
        foreach (SseRecord e in outcome.Events)
        {
            using JsonDocument doc = JsonDocument.Parse(Encoding.Latin1.GetBytes(e.Data));
            string jsonType = doc.RootElement.GetProperty("type").GetString()!;
            if (name == "sse_edge_cases.sse" && e.Type == "message")
            {
                Assert.Equal("ping", jsonType);
                continue;
            }

            Assert.Equal(jsonType, e.Type);
        }

        Assert.Equal("message_start", outcome.Events[0].Type);
        Assert.Equal("message_stop", outcome.Events[^1].Type);
    }

    [Theory]
    [InlineData("basic_text_crlf.sse")]
    [InlineData("basic_text_cr.sse")]
    [InlineData("basic_text_bom.sse")]
    public void BasicText_Variants_GiveTheSameEventsAsBasicText(string variant)
    {
        SseOutcome basic = SseHarness.ParseWhole(Fixtures.Read("basic_text.sse"));
        Assert.Equal(basic, SseHarness.ParseWhole(Fixtures.Read(variant)));
    }

    [Fact]
    public void BasicText_EventSequence()
    {
        string[] types = SseHarness.ParseWhole(Fixtures.Read("basic_text.sse")).Events.Select(e => e.Type).ToArray();
        Assert.Equal(
            ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            types);
    }

    [Fact]
    public void SseEdgeCases_AsTheReadmeDescribes()
    {
        SseOutcome o = SseHarness.ParseWhole(Fixtures.Read("sse_edge_cases.sse"));
        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "message", "content_block_stop", "message_delta", "message_stop"],
            o.Events.Select(e => e.Type).ToArray());

        // retry and id apply from the first event on; the id persists.
        Assert.All(o.Events, e => Assert.Equal("evt-1", e.LastEventId));
        Assert.All(o.Events, e => Assert.Equal(3000, e.Retry));

        // "data split over two lines (joined with \n)".
        Assert.Equal("{\"type\":\"content_block_delta\",\n\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"multi-line data\"}}", o.Events[2].Data);

        // "event: ping with no data (not dispatched)"; the data-only event is type "message".
        Assert.Equal("{\"type\":\"ping\"}", o.Events[3].Data);

        // "data field with no colon (empty value)" joins as an empty first line.
        Assert.Equal("\n{\"type\":\"message_stop\"}", o.Events[6].Data);

        // The trailing content_block_delta without its blank line is not dispatched.
        Assert.DoesNotContain(o.Events, e => e.Data.Contains("never dispatched"));
        Assert.Equal("evt-1", o.LastEventId);
        Assert.Equal(3000, o.Retry);
    }
}
