namespace MixFlow.Distributed;

/// <summary>
/// The set of cooperating processes (ranks) of a run and its collective operations. <see cref="SingleProcessWorld"/>
/// is the default (one rank; every collective is the identity); <see cref="MpiWorld"/> runs the ranks of an
/// <c>mpirun</c> job over Open MPI. Every rank must call the same collectives in the same order with matching sizes.
/// The <c>label</c> of a call names it in timeout and error messages (e.g. <c>allreduce(gradients)</c>).
/// </summary>
public interface IWorld
{
    /// <summary>This process's rank in [0, <see cref="Size"/>).</summary>
    int Rank { get; }

    /// <summary>Number of ranks (1 for a single process).</summary>
    int Size { get; }

    /// <summary>True on rank 0, the rank that alone logs and writes files.</summary>
    bool IsRoot => Rank == 0;

    /// <summary>Sums <paramref name="data"/> element-wise over all ranks, in place (every rank gets the same sum).</summary>
    /// <exception cref="MpiException">The MPI call failed.</exception>
    void AllreduceSum(Span<float> data, string label = "allreduce");

    /// <summary>Sums <paramref name="data"/> element-wise over all ranks, in place.</summary>
    /// <exception cref="MpiException">The MPI call failed.</exception>
    void AllreduceSum(Span<double> data, string label = "allreduce");

    /// <summary>Element-wise maximum of <paramref name="data"/> over all ranks, in place.</summary>
    /// <exception cref="MpiException">The MPI call failed.</exception>
    void AllreduceMax(Span<double> data, string label = "allreduce-max");

    /// <summary>Copies <paramref name="data"/> of rank <paramref name="root"/> into every rank's <paramref name="data"/> (same length everywhere).</summary>
    /// <exception cref="ArgumentOutOfRangeException">root outside [0, Size).</exception>
    /// <exception cref="MpiException">The MPI call failed.</exception>
    void Broadcast(Span<float> data, int root = 0, string label = "broadcast");

    /// <summary>Copies the bytes of rank <paramref name="root"/> into every rank's <paramref name="data"/> (same length everywhere).</summary>
    /// <exception cref="ArgumentOutOfRangeException">root outside [0, Size).</exception>
    /// <exception cref="MpiException">The MPI call failed.</exception>
    void Broadcast(Span<byte> data, int root = 0, string label = "broadcast");

    /// <summary>
    /// Concatenates every rank's <paramref name="local"/> (lengths may differ, also 0) in rank order on
    /// <paramref name="root"/>; returns the concatenation there and null on the other ranks.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">root outside [0, Size).</exception>
    /// <exception cref="MpiException">The MPI call failed or the total exceeds 2³¹−1 elements.</exception>
    float[]? Gather(ReadOnlySpan<float> local, int root = 0, string label = "gather");

    /// <summary>Concatenates every rank's <paramref name="local"/> (lengths may differ) in rank order on every rank.</summary>
    /// <exception cref="MpiException">The MPI call failed or the total exceeds 2³¹−1 elements.</exception>
    float[] Allgather(ReadOnlySpan<float> local, string label = "allgather");

    /// <summary>Waits until every rank has reached this call.</summary>
    /// <exception cref="MpiException">The MPI call failed.</exception>
    void Barrier(string label = "barrier");

    /// <summary>
    /// Stops the whole job: prints <paramref name="message"/> on stderr and terminates every rank with
    /// <paramref name="errorCode"/> (MPI_Abort). In a single process it exits the process.
    /// </summary>
    void Abort(int errorCode, string message);
}
