namespace MixFlow.Distributed;

/// <summary>A world of one rank: every collective leaves the data as it is (a sum over one rank is the value itself).</summary>
public sealed class SingleProcessWorld : IWorld
{
    /// <summary>The instance.</summary>
    public static SingleProcessWorld Instance { get; } = new();

    private SingleProcessWorld() { }

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public void AllreduceSum(Span<float> data, string label = "allreduce") { }

    /// <inheritdoc/>
    public void AllreduceSum(Span<double> data, string label = "allreduce") { }

    /// <inheritdoc/>
    public void AllreduceMax(Span<double> data, string label = "allreduce-max") { }

    /// <inheritdoc/>
    public void Broadcast(Span<float> data, int root = 0, string label = "broadcast") => CheckRoot(root);

    /// <inheritdoc/>
    public void Broadcast(Span<byte> data, int root = 0, string label = "broadcast") => CheckRoot(root);

    /// <inheritdoc/>
    public float[]? Gather(ReadOnlySpan<float> local, int root = 0, string label = "gather")
    {
        CheckRoot(root);
        return local.ToArray();
    }

    /// <inheritdoc/>
    public float[] Allgather(ReadOnlySpan<float> local, string label = "allgather") => local.ToArray();

    /// <inheritdoc/>
    public void Barrier(string label = "barrier") { }

    /// <inheritdoc/>
    public void Abort(int errorCode, string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.Flush();
        Environment.Exit(errorCode);
    }

    private static void CheckRoot(int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), $"SingleProcessWorld: root rank {root} outside [0, 1)");
    }
}
