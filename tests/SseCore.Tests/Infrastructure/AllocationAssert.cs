namespace SseCore.Tests.Infrastructure;

/// <summary>Allocation tests run alone: other tests' allocations trigger GCs that blur the count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation (not parallel)";
}

/// <summary>
/// Exact allocation checks with <see cref="GC.GetAllocatedBytesForCurrentThread"/>. The runtime
/// itself occasionally charges a few bytes to the thread (seen: 32 B once, when tiered
/// compilation swaps in optimized code mid-round), so a round is repeated: at least one round
/// must be exactly 0 bytes, and no round may reach one byte per event — any object allocated
/// per event costs at least 24 bytes per event in every round.
/// </summary>
public static class AllocationAssert
{
    public static void NoAllocationPerEvent(int eventsPerRound, Func<long> measureOneRound, int warmupRounds = 2, int measuredRounds = 5)
    {
        for (int i = 0; i < warmupRounds; i++)
        {
            measureOneRound();
        }

        var rounds = new List<long>();
        for (int i = 0; i < measuredRounds; i++)
        {
            rounds.Add(measureOneRound());
        }

        string all = string.Join(", ", rounds);
        Assert.True(rounds.Min() == 0, $"no round allocated exactly 0 bytes: {all}");
        Assert.True(rounds.Max() < eventsPerRound, $"a round allocated at least 1 byte per event ({eventsPerRound} events): {all}");
    }
}
