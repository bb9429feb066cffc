namespace MixFlow.Evaluation;

/// <summary>
/// The six inner products (float64) of one sample that both Slow-Flow estimators need: the state x̂_t, the final
/// sample x̂1 and the initial noise x0.
/// </summary>
/// <param name="XtXt">⟨x̂_t, x̂_t⟩.</param>
/// <param name="XtX1">⟨x̂_t, x̂1⟩.</param>
/// <param name="XtX0">⟨x̂_t, x0⟩.</param>
/// <param name="X1X1">⟨x̂1, x̂1⟩.</param>
/// <param name="X1X0">⟨x̂1, x0⟩.</param>
/// <param name="X0X0">⟨x0, x0⟩.</param>
public readonly record struct TrajectoryInnerProducts(double XtXt, double XtX1, double XtX0, double X1X1, double X1X0, double X0X0)
{
    /// <summary>The inner products of three vectors of equal length.</summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static TrajectoryInnerProducts Of(ReadOnlySpan<float> xt, ReadOnlySpan<float> x1, ReadOnlySpan<float> x0)
    {
        if (xt.Length != x1.Length || x0.Length != x1.Length) throw new ArgumentException($"TrajectoryInnerProducts: lengths differ ({xt.Length}, {x1.Length}, {x0.Length})");
        double tt = 0, t1 = 0, t0 = 0, s11 = 0, s10 = 0, s00 = 0;
        for (int i = 0; i < xt.Length; i++)
        {
            double a = xt[i], b = x1[i], c = x0[i];
            tt += a * a; t1 += a * b; t0 += a * c; s11 += b * b; s10 += b * c; s00 += c * c;
        }
        return new TrajectoryInnerProducts(tt, t1, t0, s11, s10, s00);
    }

    /// <summary>‖x̂_t − (a·x̂1 + c·x0)‖², expanded in the inner products.</summary>
    public double Residual(double a, double c) =>
        XtXt + a * a * X1X1 + c * c * X0X0 + 2 * a * c * X1X0 - 2 * a * XtX1 - 2 * c * XtX0;
}
