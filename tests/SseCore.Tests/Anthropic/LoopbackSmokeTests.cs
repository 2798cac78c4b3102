using SseCore.Anthropic;
using SseCore.Tests.Infrastructure;
using SseCore.Tests.Shared;

namespace SseCore.Tests.Anthropic;

public class LoopbackSmokeTests
{
    [Fact]
    public async Task MessageStream_OverARealSocket_InOddChunks_GivesTheFinalMessage()
    {
        byte[] body = Fixtures.Read("tool_use_recorded.sse");
        await using LoopbackSseServer server = await LoopbackSseServer.StartAsync(ctx => LoopbackSseServer.ServeChunkedAsync(ctx, body, seed: 1, minChunk: 1, maxChunk: 13));
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages");
        await using MessageStream stream = await client.SendMessageStreamAsync(request);
        Message message = await stream.GetFinalMessageAsync();
        Assert.Equal(MessageStreamOutcome.Completed, stream.Outcome);
        Assert.Equal("I'd be happy to check the weather in San Francisco for you. Let me get that information for you right away.", ((TextBlock)message.Content[0]).Text);
        Assert.Equal("San Francisco", ((ToolUseBlock)message.Content[1]).Input!.Value.GetProperty("city").GetString());
        Assert.Equal(79, message.Usage.OutputTokens);
    }
}
