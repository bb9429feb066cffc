using MixFlow.Tensors;

namespace MixFlow.Distributed;

/// <summary>
/// Sums the gradients of a parameter list over all ranks with few, large MPI_Allreduce calls: small gradients are
/// packed into a reusable flat bucket of about <see cref="BucketBytes"/> (copied in, reduced, copied back); a
/// gradient of at least half a bucket is reduced in place in its own buffer. The bucket plan is rebuilt when the
/// set of gradients changes, after checking that every rank has the same layout. Parameters without a gradient are
/// skipped (the same ones on every rank, as the check ensures). Not overlapped with the backward pass: the engine
/// has no per-parameter gradient-ready hooks, so the reduction starts after <c>Backward</c> returns.
/// </summary>
public sealed class GradientAllreducer
{
    /// <summary>Default bucket size: 8 MiB (2M floats).</summary>
    public const int DefaultBucketBytes = 8 << 20;

    private readonly IWorld _world;
    private readonly float[] _bucket;
    private long[] _layout = [];
    private Plan[] _plan = [];

    private readonly record struct Plan(int First, int Count, bool InPlace);

    /// <summary>Creates the reducer.</summary>
    /// <param name="world">The ranks.</param>
    /// <param name="bucketBytes">Bucket size in bytes (at least 4 KiB; default 8 MiB).</param>
    /// <exception cref="ArgumentOutOfRangeException">bucketBytes below 4096.</exception>
    public GradientAllreducer(IWorld world, int bucketBytes = DefaultBucketBytes)
    {
        _world = world ?? throw new ArgumentNullException(nameof(world));
        if (bucketBytes < 4096) throw new ArgumentOutOfRangeException(nameof(bucketBytes), $"GradientAllreducer: bucketBytes must be >= 4096, got {bucketBytes}");
        BucketBytes = bucketBytes;
        _bucket = world.Size > 1 ? new float[bucketBytes / sizeof(float)] : [];
    }

    /// <summary>The bucket size in bytes.</summary>
    public int BucketBytes { get; }

    /// <summary>Number of MPI_Allreduce calls of the last <see cref="SumGradients"/>.</summary>
    public int LastCalls { get; private set; }

    /// <summary>Floats reduced by the last <see cref="SumGradients"/>.</summary>
    public long LastElements { get; private set; }

    /// <summary>Replaces every gradient by its sum over all ranks (no-op on one rank).</summary>
    /// <exception cref="InvalidOperationException">A gradient is a non-contiguous view, or the ranks' gradient layouts differ.</exception>
    /// <exception cref="MpiException">An MPI call failed.</exception>
    public void SumGradients(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_world.Size == 1) { LastCalls = 0; LastElements = 0; return; }
        var grads = new List<Tensor>(parameters.Count);
        foreach (var p in parameters)
        {
            if (p.Grad is not { } g) continue;
            if (!g.IsContiguous) throw new InvalidOperationException($"GradientAllreducer: the gradient of parameter '{p.Name ?? "?"}' ({TensorShape.Format(g.Shape)}) is a non-contiguous view");
            grads.Add(g);
        }
        EnsurePlan(grads);
        int calls = 0; long elems = 0;
        foreach (var step in _plan)
        {
            if (step.InPlace)
            {
                var g = grads[step.First];
                _world.AllreduceSum(g.AsSpan(), "allreduce(gradients)");
                elems += g.Numel;
            }
            else
            {
                int at = 0;
                for (int i = step.First; i < step.First + step.Count; i++)
                {
                    var g = grads[i];
                    g.AsSpan().CopyTo(_bucket.AsSpan(at));
                    at += g.Numel;
                }
                _world.AllreduceSum(_bucket.AsSpan(0, at), "allreduce(gradients)");
                at = 0;
                for (int i = step.First; i < step.First + step.Count; i++)
                {
                    var g = grads[i];
                    _bucket.AsSpan(at, g.Numel).CopyTo(g.AsSpan());
                    at += g.Numel;
                }
                elems += at;
            }
            calls++;
        }
        LastCalls = calls; LastElements = elems;
    }

    private void EnsurePlan(List<Tensor> grads)
    {
        bool same = _layout.Length == grads.Count;
        for (int i = 0; same && i < grads.Count; i++) same = _layout[i] == grads[i].Numel;
        if (same) return;
        var layout = new long[grads.Count];
        for (int i = 0; i < layout.Length; i++) layout[i] = grads[i].Numel;
        CheckSameOnAllRanks(layout);
        int cap = _bucket.Length;
        var plan = new List<Plan>();
        int first = 0, count = 0, fill = 0;
        for (int i = 0; i < grads.Count; i++)
        {
            int n = grads[i].Numel;
            if (n >= cap / 2)
            {
                if (count > 0) { plan.Add(new Plan(first, count, false)); count = 0; fill = 0; }
                plan.Add(new Plan(i, 1, true));
                continue;
            }
            if (fill + n > cap) { plan.Add(new Plan(first, count, false)); count = 0; fill = 0; }
            if (count == 0) first = i;
            count++; fill += n;
        }
        if (count > 0) plan.Add(new Plan(first, count, false));
        _plan = plan.ToArray();
        _layout = layout;
    }

    private void CheckSameOnAllRanks(long[] layout)
    {
        // A 52-bit fingerprint of (count, sizes): equal on all ranks iff max == −max(−x).
        ulong h = 1469598103934665603UL ^ (ulong)layout.Length;
        long total = 0;
        foreach (long n in layout) { h = (h ^ (ulong)n) * 1099511628211UL; total += n; }
        double fp = h >> 12;
        Span<double> v = [fp, -fp, total, -total];
        _world.AllreduceMax(v, "allreduce-max(gradient layout)");
        if (v[0] != -v[1] || v[2] != -v[3])
            throw new InvalidOperationException($"data-parallel: rank {_world.Rank} has {layout.Length} gradients with {total} elements, but the ranks' gradient layouts differ (max {v[2]}, min {-v[3]} elements); every rank must train the same model on the same objective");
    }
}
