namespace MixFlow.Tensors.Tests;

/// <summary>
/// Inputs large enough that the fused kernels split their rows over several parallel chunks (and LayerNorm over
/// several gradient blocks): forward and backward must agree with the same math composed from elementary ops.
/// </summary>
public class OpsALargeInputTests
{
    /// <summary>Allowed |fused − composite| as Tol·(1 + |composite|) (float32, different summation orders).</summary>
    private const double Tol = 2e-4;

    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    /// <summary>Runs <paramref name="fused"/> and <paramref name="composite"/> on the same inputs with the same output gradient and compares outputs and input gradients.</summary>
    static void Compare(Func<Tensor[], Tensor> fused, Func<Tensor[], Tensor> composite, Tensor[] inputs, ulong seed)
    {
        float[][] Run(Func<Tensor[], Tensor> f)
        {
            foreach (var t in inputs) { t.RequiresGrad = true; t.Grad = null; }
            var y = f(inputs);
            var outArr = y.ToArray();
            y.Backward(R(seed, y.Shape));
            return [outArr, .. inputs.Select(t => t.Grad!.ToArray())];
        }
        var a = Run(fused); var b = Run(composite);
        for (int k = 0; k < a.Length; k++)
            for (int i = 0; i < a[k].Length; i++)
                Assert.True(Math.Abs(a[k][i] - b[k][i]) <= Tol * (1 + Math.Abs(b[k][i])), $"{(k == 0 ? "output" : $"gradient of input {k - 1}")} element {i}: fused {a[k][i]} vs composite {b[k][i]}");
    }

    [Fact]
    public void SoftmaxAndLogSoftmax()
    {
        static Tensor Manual(Tensor x) { var e = x.Exp(); return e / e.Sum(-1, keepDim: true); } // N(0, 1) inputs: no overflow
        Compare(t => t[0].Softmax(), t => Manual(t[0]), [R(1, 66, 1024)], 2);
        Compare(t => t[0].LogSoftmax(), t => Manual(t[0]).Log(), [R(3, 66, 1024)], 4);
    }

    [Fact]
    public void LayerNormAndRmsNorm()
    {
        Compare(t => Tensor.LayerNorm(t[0], t[1], t[2]), t =>
        {
            var xc = t[0] - t[0].Mean(-1, keepDim: true);
            return xc * (xc.Square().Mean(-1, keepDim: true) + 1e-5f).Rsqrt() * t[1] + t[2];
        }, [R(5, 1500, 48), R(6, 48), R(7, 48)], 8);
        Compare(t => Tensor.RmsNorm(t[0], t[1]), t => t[0] * (t[0].Square().Mean(-1, keepDim: true) + 1e-6f).Rsqrt() * t[1], [R(9, 1500, 48), R(10, 48)], 11);
    }

    [Fact]
    public void AttentionWithMask()
    {
        var mask = R(12, 128, 128);
        Compare(t => Tensor.ScaledDotProductAttention(t[0], t[1], t[2], mask),
            t => (t[0].MatMul(t[1].MT) * 0.25f + mask).Softmax().MatMul(t[2]),
            [R(13, 2, 4, 128, 16), R(14, 2, 4, 128, 16), R(15, 2, 4, 128, 16)], 16);
    }

    [Fact]
    public void CrossEntropyAndMse()
    {
        var gen = new Generator(17);
        var labels = Enumerable.Range(0, 140).Select(_ => gen.NextInt(0, 500)).ToArray();
        var onehot = Tensor.Zeros(140, 500);
        for (int i = 0; i < 140; i++) onehot[i, labels[i]] = 1f;
        Compare(t => Tensor.CrossEntropy(t[0], labels), t => (t[0].LogSoftmax() * onehot).Sum().Mul(-1f / 140), [R(18, 140, 500)], 19);
        Compare(t => Tensor.MseLoss(t[0], t[1]), t => (t[0] - t[1]).Square().Mean(), [R(20, 260, 260), R(21, 260, 260)], 22);
    }
}
