namespace SseCore.Tests.Infrastructure;

/// <summary>Allocation tests run alone: other tests' allocations trigger GCs that blur the count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation (not parallel)";
}

/// <summary>
/// Exact allocation checks with <see cref="GC.GetAllocatedBytesForCurrentThread"/>. The runtime
/// itself occasionally charges bytes to the thread in one round (seen: 32 B when tiered
/// compilation swapped in optimized code mid-round; 3,120 B once in a CI run of the writer
/// test, in one round of five, the others 0), so rounds are repeated: most rounds (the median)
/// must be exactly 0 bytes, and no round may reach 24 bytes per event. What these tests exist to
/// catch shows in every round: an object allocated per event costs at least 24 bytes per event
/// (the smallest object), and one allocated every N events makes every round non-zero.
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
        int zero = rounds.Count(r => r == 0);
        Assert.True(zero * 2 > rounds.Count, $"fewer than half the rounds allocated exactly 0 bytes: {all}");
        Assert.True(rounds.Max() < 24L * eventsPerRound, $"a round allocated at least 24 bytes (one object) per event ({eventsPerRound} events): {all}");
    }
}
