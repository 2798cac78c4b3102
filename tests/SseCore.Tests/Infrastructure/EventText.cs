using SseCore.Anthropic;

namespace SseCore.Tests.Infrastructure;

/// <summary>
/// A decoded event as text, every view and field included, so that two decodes (fresh and
/// reused, fast path and general path) compare with one <c>Assert.Equal</c>.
/// </summary>
public static class EventText
{
    public static string Describe(in AnthropicEvent e)
    {
        ref readonly MessageStartView ms = ref e.MessageStart;
        ref readonly ContentBlockStartView cb = ref e.ContentBlockStart;
        ref readonly DeltaView d = ref e.Delta;
        ref readonly MessageDeltaView md = ref e.MessageDelta;
        ref readonly ErrorView er = ref e.Error;
        return string.Join(
            " | ",
            e.Kind, e.Index, e.EventNumber, e.StreamOffset, Hex(e.EventName), Hex(e.Data),
            Text(ms.Id), Text(ms.Model), Text(ms.Role), Usage(in ms.Usage), Hex(ms.RawJson),
            cb.Index, cb.Type.Value, Text(cb.Id), Text(cb.Name), Text(cb.Text), Text(cb.Thinking), Text(cb.Signature), Text(cb.Data), Hex(cb.InputJson), Hex(cb.RawJson),
            d.Index, d.Kind, Text(d.TypeName), Text(d.Text), Text(d.PartialJson), Text(d.Thinking), Text(d.Signature), Hex(d.CitationJson), Text(d.CompactionContent), Text(d.EncryptedContent), Hex(d.RawJson),
            md.StopReason?.Value, Text(md.StopSequence), Hex(md.StopDetailsJson), Text(md.StopDetailsType), Text(md.StopDetailsCategory), Text(md.StopDetailsExplanation), Hex(md.ContainerJson), Usage(in md.Usage),
            er.Type.Value, Text(er.Message), Text(er.RequestId), Hex(er.DetailsJson));
    }

    /// <summary>A JSON string value: absent, or its raw bytes and whether they hold escapes.</summary>
    public static string Text(JsonText t) => t.HasValue ? (t.IsEscaped ? "e:" : "r:") + Convert.ToHexString(t.RawUtf8) : "none";

    private static string Usage(in UsageView u) => string.Join(
        ",",
        u.IsPresent, u.InputTokens, u.OutputTokens, u.CacheCreationInputTokens, u.CacheReadInputTokens, u.CacheCreationEphemeral5mInputTokens,
        u.CacheCreationEphemeral1hInputTokens, u.WebSearchRequests, u.WebFetchRequests, u.ThinkingTokens, Text(u.ServiceTier), Text(u.InferenceGeo),
        Text(u.Speed), Hex(u.IterationsJson), Hex(u.FallbackCreditJson), Hex(u.RawJson));

    private static string Hex(ReadOnlySpan<byte> s) => Convert.ToHexString(s);
}
