using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Transport;

/// <summary>
/// The exact minimiser of the flow-matching loss for Gaussian data x1 ~ N(μ, s²I): x_t = αx1 + σx0 is Gaussian with
/// mean αμ and variance v = α²s² + σ², so E[u|x] = α'μ + (α'αs² + σ'σ)/v·(x − αμ), E[x0|x] = σ/v·(x − αμ),
/// score −(x − αμ)/v. Differentiable in x (tensor ops only).
/// </summary>
internal sealed class GaussianOracle : IFlowModel
{
    private readonly IInterpolationPath _path;
    private readonly double[] _mu;
    private readonly double _s;
    private readonly PredictionType _type;

    public GaussianOracle(IInterpolationPath path, double[] mu, double s, PredictionType type = PredictionType.Velocity)
    { _path = path; _mu = mu; _s = s; _type = type; }

    public int NumClasses => 0;
    public int Calls { get; private set; }

    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        Calls++;
        int b = x.Size(0), d = _mu.Length;
        Assert.Equal(d, x.Numel / b);
        var tv = t.ToArray();
        var k = new float[b];
        var c = new float[b * d];
        for (int i = 0; i < b; i++)
        {
            var p = _path.Coefficients(tv[i]);
            double v = p.Alpha * p.Alpha * _s * _s + p.Sigma * p.Sigma;
            double kk = _type switch
            {
                PredictionType.Velocity => (p.DAlpha * p.Alpha * _s * _s + p.DSigma * p.Sigma) / v,
                PredictionType.Noise => p.Sigma / v,
                _ => -1 / v,
            };
            k[i] = (float)kk;
            for (int j = 0; j < d; j++)
            {
                double off = -kk * p.Alpha * _mu[j];
                if (_type == PredictionType.Velocity) off += p.DAlpha * _mu[j];
                c[i * d + j] = (float)off;
            }
        }
        var shape = x.Shape;
        var ks = new int[shape.Length]; Array.Fill(ks, 1); ks[0] = b;
        return x * Tensor.FromArray(k, ks) + Tensor.FromArray(c, shape);
    }
}

/// <summary>dx/dt = x·cos(t): with the linear path and velocity prediction, x(1) = x(0)·exp(sin 1).</summary>
internal sealed class CosineFieldModel : IFlowModel
{
    public int NumClasses => 0;
    public int Calls { get; private set; }

    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        Calls++;
        var ts = new int[x.Rank]; Array.Fill(ts, 1); ts[0] = x.Size(0);
        return x * t.Reshape(ts).Cos();
    }
}

/// <summary>Records its inputs and returns a fixed linear function of them: out = a·x + b·t (+ label offset).</summary>
internal sealed class SpyModel : IFlowModel
{
    private readonly float _a, _b;
    public SpyModel(int numClasses = 0, float a = 0.5f, float b = 0.25f) { NumClasses = numClasses; _a = a; _b = b; }

    public int NumClasses { get; }
    public List<float[]> Times { get; } = new();
    public List<float[]> Inputs { get; } = new();
    public List<int[]?> Labels { get; } = new();

    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        Times.Add(t.ToArray());
        Inputs.Add(x.ToArray());
        Labels.Add(labels?.ToArray());
        var ts = new int[x.Rank]; Array.Fill(ts, 1); ts[0] = x.Size(0);
        var y = x * _a + t.Reshape(ts) * _b;
        if (labels is not null)
        {
            var l = new float[labels.Length];
            for (int i = 0; i < l.Length; i++) l[i] = 0.1f * labels[i];
            y = y + Tensor.FromArray(l, ts);
        }
        return y;
    }
}

/// <summary>out = w·x with a learnable scalar w (for gradient-flow checks).</summary>
internal sealed class ScalarModel : IFlowModel
{
    public Tensor W { get; } = Tensor.Full(0.3f, 1).RequireGrad();
    public int NumClasses => 0;
    public Tensor Forward(Tensor x, Tensor t, int[]? labels) => x * W;
}

internal static class Stats
{
    /// <summary>Per-dimension mean and variance of a [B, D] tensor (double precision).</summary>
    public static (double[] Mean, double[] Var) MeanVar(Tensor x)
    {
        int b = x.Size(0), d = x.Numel / b;
        var v = x.ToArray();
        var m = new double[d]; var s = new double[d];
        for (int i = 0; i < b; i++) for (int j = 0; j < d; j++) m[j] += v[i * d + j];
        for (int j = 0; j < d; j++) m[j] /= b;
        for (int i = 0; i < b; i++) for (int j = 0; j < d; j++) { double e = v[i * d + j] - m[j]; s[j] += e * e; }
        for (int j = 0; j < d; j++) s[j] /= b - 1;
        return (m, s);
    }

    /// <summary>Kolmogorov–Smirnov statistic of a sample against a CDF.</summary>
    public static double KolmogorovSmirnov(IEnumerable<double> sample, Func<double, double> cdf)
    {
        var xs = sample.OrderBy(x => x).ToArray();
        int n = xs.Length;
        double d = 0;
        for (int i = 0; i < n; i++)
        {
            double f = cdf(xs[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / n - f, f - (double)i / n));
        }
        return d;
    }

    /// <summary>The 1% critical value of the one-sample KS test (asymptotic).</summary>
    public static double KsCritical1Percent(int n) => 1.628 / Math.Sqrt(n);
}
