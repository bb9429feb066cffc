namespace MixFlow.Tensors.Tests;

/// <summary>
/// Tests that compare <see cref="Memory.BufferPool.AllocatedBytes"/> before and after some work. The counter is
/// process-wide, so these tests run alone (after the parallel ones), where no other test allocates meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCounterCollection
{
    /// <summary>The collection's name, for <c>[Collection(AllocationCounterCollection.Name)]</c>.</summary>
    public const string Name = "BufferPool allocation counters";
}
