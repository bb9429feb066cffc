using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>Bookkeeping shared by the samplers: input checks, NFE counting, state hand-over between step scopes.</summary>
internal sealed class SamplingLoop
{
    private readonly Tensor _x0;
    private readonly List<TrajectoryPoint>? _trajectory;

    internal SamplingLoop(Tensor x0, int[]? labels, bool record, double t0, string op)
    {
        if (x0.Rank < 1 || x0.Size(0) == 0) throw new ArgumentException($"{op}: initial states must have shape [B, …] with B > 0, got {TensorShape.Format(x0.Shape)}");
        if (labels is not null && labels.Length != x0.Size(0)) throw new ArgumentException($"{op}: {labels.Length} labels given for a batch of {x0.Size(0)}");
        _x0 = x0;
        X = x0;
        if (record) _trajectory = [new TrajectoryPoint(t0, x0)];
    }

    /// <summary>The current state.</summary>
    internal Tensor X { get; private set; }

    /// <summary>Network evaluations so far.</summary>
    internal int Nfe { get; set; }

    internal IReadOnlyList<TrajectoryPoint>? Trajectory => _trajectory;

    /// <summary>
    /// Takes <paramref name="next"/> (created inside the current step scope) as the new state: moves it out of the
    /// scope and releases the previous state unless it is the caller's input or part of the trajectory.
    /// </summary>
    internal void Advance(Tensor next, double t)
    {
        next = next.Contiguous();
        if (!next.IsAlive) throw new InvalidOperationException("Sampler: the new state was released before hand-over");
        next.MoveToOuterScope();
        var prev = X;
        X = next;
        if (_trajectory is not null) _trajectory.Add(new TrajectoryPoint(t, next));
        else if (!ReferenceEquals(prev, _x0)) prev.Dispose();
    }

    internal SampleResult Result(IReadOnlyList<double>? modelTimes = null) => new(X, Nfe, _trajectory, modelTimes);
}
