using System.Text;

namespace SseCore.Tests.Infrastructure;

/// <summary>Builds Anthropic-shaped event streams of a given size and line-end style.</summary>
public static class StreamBuilder
{
    public static byte[] Deltas(int count, string lineEnd = "\n", bool withId = false, int dataLines = 1)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            if (withId)
            {
                sb.Append("id: ").Append(i).Append(lineEnd);
            }

            sb.Append("event: content_block_delta").Append(lineEnd);
            for (int l = 0; l < dataLines; l++)
            {
                sb.Append("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"tok")
                  .Append(i).Append('-').Append(l).Append(" \\u00e9\"}}").Append(lineEnd);
            }

            sb.Append(lineEnd);
            if (i % 50 == 0)
            {
                sb.Append(": keep-alive").Append(lineEnd);
            }
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
