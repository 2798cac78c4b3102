namespace SseCore.Tests.Infrastructure;

/// <summary>The allocation check itself: it tolerates a one-off charge by the runtime and nothing that repeats.</summary>
[Collection(AllocationCollection.Name)]
public class AllocationAssertTests
{
    private const int Events = 2000;
    private static object? s_sink;

    private static long Round(Func<int, bool> allocatesAt, int objectSize = 0)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Events; i++)
        {
            if (allocatesAt(i))
            {
                s_sink = objectSize > 0 ? new byte[objectSize] : new object();
            }
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void AnObjectPerEvent_Fails() =>
        Assert.ThrowsAny<Exception>(() => AllocationAssert.NoAllocationPerEvent(Events, () => Round(_ => true)));

    [Fact]
    public void AnObjectEveryHundredEvents_Fails() =>
        Assert.ThrowsAny<Exception>(() => AllocationAssert.NoAllocationPerEvent(Events, () => Round(i => i % 100 == 0)));

    [Fact]
    public void OneObjectPerRound_Fails() =>
        Assert.ThrowsAny<Exception>(() => AllocationAssert.NoAllocationPerEvent(Events, () => Round(i => i == 0)));

    [Fact]
    public void NothingAllocated_Passes() =>
        AllocationAssert.NoAllocationPerEvent(Events, () => Round(_ => false));

    [Fact]
    public void ACharge_InOneRoundOnly_Passes()
    {
        // What the runtime did once in CI: a few KB charged to the thread in one round of five.
        int round = 0;
        AllocationAssert.NoAllocationPerEvent(
            Events,
            () =>
            {
                long bytes = Round(i => round == 4 && i == 0, objectSize: 3000);
                round++;
                return bytes;
            },
            warmupRounds: 2,
            measuredRounds: 5);
        Assert.Equal(7, round);
    }
}
