namespace MixFlow.Tensors.Kernels;

/// <summary>Scalar special functions that neither System.Math nor TensorPrimitives provide.</summary>
public static class SpecialFunctions
{
    /// <summary>
    /// The error function in double precision (|error| &lt; 1.2e-7 relative from the Chebyshev fit of Numerical
    /// Recipes' erfc, more than float32 needs).
    /// </summary>
    public static double Erf(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                     t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                     t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - ans : ans - 1.0;
    }

    /// <summary>Standard normal CDF Φ(x).</summary>
    public static double NormalCdf(double x) => 0.5 * (1.0 + Erf(x / Math.Sqrt(2.0)));

    /// <summary>Standard normal density φ(x).</summary>
    public static double NormalPdf(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
}
