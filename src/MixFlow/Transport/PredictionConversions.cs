using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>The affine map q_to = A·x + B·q_from between two <see cref="FlowQuantity"/> at one state and time.</summary>
/// <param name="A">Coefficient of the state x.</param>
/// <param name="B">Coefficient of the source quantity.</param>
public readonly record struct ConversionCoefficients(double A, double B);

/// <summary>
/// Conversions between velocity, noise, score and data predictions at a state x = α·x1 + σ·x0.
/// </summary>
/// <remarks>
/// Derivation: every quantity is q = p1·x̂1 + p2·x̂0 with (p1, p2) = (α', σ') for the velocity, (0, 1) for the noise,
/// (0, −1/σ) for the score and (1, 0) for the data. Together with x = α·x̂1 + σ·x̂0 this is a 2×2 system with
/// determinant D = α·p2 − σ·p1, solved by x̂1 = (p2·x − σ·q)/D and x̂0 = (α·q − p1·x)/D. A target quantity
/// (r1, r2) is then q' = r1·x̂1 + r2·x̂0 = [(r1·p2 − r2·p1)·x + (r2·α − r1·σ)·q]/D.
/// Example (velocity → score): D = ασ' − σα', A = α'/(σD), B = −α/(σD), i.e. the familiar
/// s = (α·v − α'·x)/(σ·(α'σ − ασ')). A conversion whose D is 0 (e.g. from noise when α = 0, from data when σ = 0)
/// yields non-finite coefficients; samplers avoid those times through the sampling epsilons.
/// </remarks>
public static class PredictionConversions
{
    /// <summary>The (x̂1, x̂0) weights (p1, p2) of a quantity.</summary>
    private static (double P1, double P2) Weights(FlowQuantity q, in PathCoefficients c) => q switch
    {
        FlowQuantity.Velocity => (c.DAlpha, c.DSigma),
        FlowQuantity.Noise => (0, 1),
        FlowQuantity.Score => (0, -1 / c.Sigma),
        FlowQuantity.Data => (1, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(q), $"PredictionConversions: unknown quantity {q}"),
    };

    /// <summary>The quantity a network of this prediction type outputs.</summary>
    public static FlowQuantity ToQuantity(this PredictionType p) => p switch
    {
        PredictionType.Velocity => FlowQuantity.Velocity,
        PredictionType.Noise => FlowQuantity.Noise,
        PredictionType.Score => FlowQuantity.Score,
        _ => throw new ArgumentOutOfRangeException(nameof(p), $"PredictionConversions: unknown prediction type {p}"),
    };

    /// <summary>Coefficients (A, B) of q_to = A·x + B·q_from at path coefficients <paramref name="c"/>.</summary>
    public static ConversionCoefficients Coefficients(in PathCoefficients c, FlowQuantity from, FlowQuantity to)
    {
        if (from == to) return new ConversionCoefficients(0, 1);
        var (p1, p2) = Weights(from, c);
        var (r1, r2) = Weights(to, c);
        double det = c.Alpha * p2 - c.Sigma * p1;
        return new ConversionCoefficients((r1 * p2 - r2 * p1) / det, (r2 * c.Alpha - r1 * c.Sigma) / det);
    }

    /// <summary>Converts one scalar component (double precision).</summary>
    /// <param name="c">Path coefficients at the time of the state.</param>
    /// <param name="x">The state component.</param>
    /// <param name="q">The source quantity component.</param>
    /// <param name="from">Source quantity.</param>
    /// <param name="to">Target quantity.</param>
    public static double Convert(in PathCoefficients c, double x, double q, FlowQuantity from, FlowQuantity to)
    {
        if (from == to) return q;
        var k = Coefficients(c, from, to);
        return k.A * x + k.B * q;
    }

    /// <summary>Velocity from a noise prediction: v = (α'/α)·x + (σ' − α'σ/α)·ε.</summary>
    public static double VelocityFromNoise(in PathCoefficients c, double x, double eps) => c.DAlpha / c.Alpha * x + (c.DSigma - c.DAlpha * c.Sigma / c.Alpha) * eps;

    /// <summary>Score from a velocity: s = (α·v − α'·x)/(σ·(α'σ − ασ')).</summary>
    public static double ScoreFromVelocity(in PathCoefficients c, double x, double v) => (c.Alpha * v - c.DAlpha * x) / (c.Sigma * (c.DAlpha * c.Sigma - c.Alpha * c.DSigma));

    /// <summary>Noise from a score: ε = −σ·s.</summary>
    public static double NoiseFromScore(in PathCoefficients c, double score) => -c.Sigma * score;

    /// <summary>Data from a noise prediction: x̂1 = (x − σ·ε)/α.</summary>
    public static double DataFromNoise(in PathCoefficients c, double x, double eps) => (x - c.Sigma * eps) / c.Alpha;

    /// <summary>
    /// Converts a batch of predictions: <c>A_b·x + B_b·q</c> with per-sample coefficients from the path at times
    /// <paramref name="t"/> (evaluated in double precision, broadcast over the trailing dimensions).
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="x">States [B, …].</param>
    /// <param name="t">Times [B].</param>
    /// <param name="q">Source quantity [B, …] (shape of x).</param>
    /// <param name="from">Source quantity.</param>
    /// <param name="to">Target quantity.</param>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    public static Tensor Convert(IInterpolationPath path, Tensor x, Tensor t, Tensor q, FlowQuantity from, FlowQuantity to)
    {
        if (!TensorShape.Equal(x.Shape, q.Shape))
            throw new ArgumentException($"PredictionConversions.Convert: state {TensorShape.Format(x.Shape)} and {from} {TensorShape.Format(q.Shape)} must have the same shape");
        if (from == to) return q;
        var ts = InterpolationPath.TimeValues(t, x, "PredictionConversions.Convert");
        var a = new float[ts.Length]; var b = new float[ts.Length];
        for (int i = 0; i < ts.Length; i++)
        {
            var k = Coefficients(path.Coefficients(ts[i]), from, to);
            a[i] = (float)k.A; b[i] = (float)k.B;
        }
        var shape = InterpolationPath.BroadcastShape(ts.Length, x.Rank);
        if (to == FlowQuantity.Noise && from == FlowQuantity.Score || from == FlowQuantity.Noise && to == FlowQuantity.Score)
            return Tensor.FromArray(b, shape) * q; // A = 0 exactly
        return Tensor.FromArray(a, shape) * x + Tensor.FromArray(b, shape) * q;
    }

    /// <summary>Converts at one shared time <paramref name="t"/> for the whole batch (scalar multiplies, no broadcast tensors).</summary>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    public static Tensor Convert(IInterpolationPath path, Tensor x, double t, Tensor q, FlowQuantity from, FlowQuantity to)
    {
        if (!TensorShape.Equal(x.Shape, q.Shape))
            throw new ArgumentException($"PredictionConversions.Convert: state {TensorShape.Format(x.Shape)} and {from} {TensorShape.Format(q.Shape)} must have the same shape");
        if (from == to) return q;
        var k = Coefficients(path.Coefficients(t), from, to);
        if (k.A == 0) return q * (float)k.B;
        return x * (float)k.A + q * (float)k.B;
    }
}
