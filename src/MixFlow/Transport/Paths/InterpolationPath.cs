using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// Base class of the paths: subclasses give the four scalar coefficient functions; the tensor API evaluates them in
/// double precision once per sample (B values, not per element) and broadcasts the result as [B, 1, …, 1].
/// </summary>
public abstract class InterpolationPath : IInterpolationPath
{
    /// <inheritdoc/>
    public abstract PathKind Kind { get; }

    /// <inheritdoc/>
    public abstract double Alpha(double t);

    /// <inheritdoc/>
    public abstract double Sigma(double t);

    /// <inheritdoc/>
    public abstract double DAlpha(double t);

    /// <inheritdoc/>
    public abstract double DSigma(double t);

    /// <inheritdoc/>
    public virtual PathCoefficients Coefficients(double t) => new(Alpha(t), Sigma(t), DAlpha(t), DSigma(t));

    /// <inheritdoc/>
    public Tensor Alpha(Tensor t, int rank) => PerSample(t, rank, Alpha, "Alpha");

    /// <inheritdoc/>
    public Tensor Sigma(Tensor t, int rank) => PerSample(t, rank, Sigma, "Sigma");

    /// <inheritdoc/>
    public Tensor DAlpha(Tensor t, int rank) => PerSample(t, rank, DAlpha, "DAlpha");

    /// <inheritdoc/>
    public Tensor DSigma(Tensor t, int rank) => PerSample(t, rank, DSigma, "DSigma");

    /// <inheritdoc/>
    public PathSample Sample(Tensor x0, Tensor x1, Tensor t)
    {
        if (!TensorShape.Equal(x0.Shape, x1.Shape))
            throw new ArgumentException($"{GetType().Name}.Sample: x0 {TensorShape.Format(x0.Shape)} and x1 {TensorShape.Format(x1.Shape)} must have the same shape");
        var ts = TimeValues(t, x1, $"{GetType().Name}.Sample");
        int b = ts.Length;
        var a = new float[b]; var s = new float[b]; var da = new float[b]; var ds = new float[b];
        for (int i = 0; i < b; i++)
        {
            var c = Coefficients(ts[i]);
            a[i] = (float)c.Alpha; s[i] = (float)c.Sigma; da[i] = (float)c.DAlpha; ds[i] = (float)c.DSigma;
        }
        int[] bshape = BroadcastShape(b, x1.Rank);
        var xt = Tensor.FromArray(a, bshape) * x1 + Tensor.FromArray(s, bshape) * x0;
        var ut = Tensor.FromArray(da, bshape) * x1 + Tensor.FromArray(ds, bshape) * x0;
        return new PathSample(t, xt, ut);
    }

    /// <summary>The shape [B, 1, …, 1] of rank <paramref name="rank"/>.</summary>
    internal static int[] BroadcastShape(int b, int rank)
    {
        var s = new int[Math.Max(rank, 1)];
        Array.Fill(s, 1);
        s[0] = b;
        return s;
    }

    /// <summary>Reads per-sample times [B] (B = x.Size(0)) as doubles, validating the shape.</summary>
    /// <exception cref="ArgumentException">t is not [B] for the batch of x.</exception>
    internal static double[] TimeValues(Tensor t, Tensor x, string op)
    {
        if (x.Rank < 1) throw new ArgumentException($"{op}: states must have a batch dimension (got a rank-0 tensor)");
        if (t.Rank != 1 || t.Size(0) != x.Size(0))
            throw new ArgumentException($"{op}: times must have shape [{x.Size(0)}] (one per sample of the batch {TensorShape.Format(x.Shape)}), got {TensorShape.Format(t.Shape)}");
        var f = t.ToArray();
        var d = new double[f.Length];
        for (int i = 0; i < f.Length; i++) d[i] = f[i];
        return d;
    }

    private static Tensor PerSample(Tensor t, int rank, Func<double, double> f, string name)
    {
        if (t.Rank != 1) throw new ArgumentException($"InterpolationPath.{name}: times must be rank 1 [B], got {TensorShape.Format(t.Shape)}");
        if (rank < 1) throw new ArgumentException($"InterpolationPath.{name}: rank must be at least 1, got {rank}");
        var v = t.ToArray();
        var r = new float[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = (float)f(v[i]);
        return Tensor.FromArray(r, BroadcastShape(v.Length, rank));
    }
}
