using MixFlow.Tensors.Autograd;

namespace MixFlow.Tensors.Tests;

/// <summary>
/// Checks an op's backward against central finite differences. The objective is a fixed random projection
/// L = Σ w ⊙ f(inputs) accumulated in double; each input element is nudged by ±h and the difference quotient is
/// compared with the analytic gradient under |analytic − numeric| ≤ Atol + Rtol·|numeric|.
/// </summary>
public static class GradCheck
{
    public const double DefaultH = 1e-2;
    public const double DefaultAtol = 2e-3;
    public const double DefaultRtol = 2e-2;

    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double h = DefaultH, double atol = DefaultAtol, double rtol = DefaultRtol, ulong seed = 7)
    {
        foreach (var t in inputs) { t.RequiresGrad = true; t.Grad = null; }
        var y = f(inputs);
        var gen = new Generator(seed);
        var w = Tensor.RandN(gen, y.Shape);
        var wArr = w.ToArray();
        y.Backward(w);

        double Objective()
        {
            using var _ = GradMode.NoGrad();
            var v = f(inputs).ToArray();
            double s = 0;
            for (int i = 0; i < v.Length; i++) s += (double)v[i] * wArr[i];
            return s;
        }

        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            var analytic = x.Grad?.ToArray() ?? new float[x.Numel];
            var data = x.AsSpanForTest();
            for (int i = 0; i < x.Numel; i++)
            {
                float orig = data[i];
                data[i] = (float)(orig + h); double plus = Objective();
                data[i] = (float)(orig - h); double minus = Objective();
                data[i] = orig;
                double numeric = (plus - minus) / (2 * h);
                double diff = Math.Abs(analytic[i] - numeric);
                Assert.True(diff <= atol + rtol * Math.Abs(numeric),
                    $"input {k} (shape {TensorShape.Format(x.Shape)}) element {i}: analytic {analytic[i]:G6} vs numeric {numeric:G6}");
            }
        }
    }

    private static Span<float> AsSpanForTest(this Tensor t) => t.AsSpan();
}
