namespace MixFlow.Tensors.Tests;

public class NormalizationTests
{
    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    [Fact]
    public void LayerNormRowsHaveMeanZeroAndUnitVariance()
    {
        var x = R(1, 6, 33) * 4f + 3f;
        var y = Tensor.LayerNorm(x, null, null, eps: 0f).ToArray();
        for (int r = 0; r < 6; r++)
        {
            double m = 0, v = 0;
            for (int j = 0; j < 33; j++) m += y[r * 33 + j];
            m /= 33;
            for (int j = 0; j < 33; j++) v += (y[r * 33 + j] - m) * (y[r * 33 + j] - m);
            Assert.Equal(0, m, 5);
            Assert.Equal(1, v / 33, 4);
        }
    }

    [Fact]
    public void LayerNormAffineMatchesComposite()
    {
        var x = R(2, 2, 3, 8); var w = R(3, 8); var b = R(4, 8);
        var got = Tensor.LayerNorm(x, w, b, 1e-5f).ToArray();
        var xc = x - x.Mean(-1, keepDim: true);
        var want = (xc * (xc.Square().Mean(-1, keepDim: true) + 1e-5f).Rsqrt() * w + b).ToArray();
        for (int i = 0; i < got.Length; i++) Assert.Equal(want[i], got[i], 4);
    }

    [Fact]
    public void RmsNormMatchesComposite()
    {
        var x = R(5, 4, 6); var w = R(6, 6);
        var got = Tensor.RmsNorm(x, w, 1e-6f).ToArray();
        var want = (x * (x.Square().Mean(-1, keepDim: true) + 1e-6f).Rsqrt() * w).ToArray();
        for (int i = 0; i < got.Length; i++) Assert.Equal(want[i], got[i], 4);
    }

    [Fact]
    public void LayerNormBackward()
    {
        GradCheck.Check(t => Tensor.LayerNorm(t[0], t[1], t[2]), [R(1, 3, 5), R(2, 5), R(3, 5)]);
        GradCheck.Check(t => Tensor.LayerNorm(t[0], null, null), [R(4, 2, 2, 7)]);
        GradCheck.Check(t => Tensor.LayerNorm(t[0], t[1], null), [R(5, 4, 3), R(6, 3)]);
        GradCheck.Check(t => Tensor.LayerNorm(t[0], null, t[1]), [R(7, 4, 3), R(8, 3)]);
        GradCheck.Check(t => Tensor.LayerNorm(t[0], t[1], t[2]), [R(9, 3, 1), R(10, 1), R(11, 1)]);   // D = 1
        GradCheck.Check(t => Tensor.LayerNorm(t[0], t[1], t[2]), [R(12, 70, 3) * 3f, R(13, 3), R(14, 3)]); // > one block of rows
        GradCheck.Check(t => Tensor.LayerNorm(t[0], t[1], t[2]) + Tensor.LayerNorm(t[0], t[1], t[2]) * 0.5f, [R(15, 2, 4), R(16, 4), R(17, 4)]);
    }

    [Fact]
    public void BackwardMatchesCompositeGraphOverManyRowBlocks()
    {
        // 300 rows span several gradient blocks; the composite graph of elementwise ops is the reference.
        var x = R(20, 300, 16); var w = R(21, 16); var b = R(22, 16); var gy = R(23, 300, 16);
        foreach (bool rms in new[] { false, true })
        {
            foreach (var t in new[] { x, w, b }) { t.RequiresGrad = true; t.Grad = null; }
            (rms ? Tensor.RmsNorm(x, w, 1e-6f) : Tensor.LayerNorm(x, w, b)).Backward(gy);
            var fused = new[] { x.Grad!.ToArray(), w.Grad!.ToArray(), rms ? null : b.Grad!.ToArray() };
            foreach (var t in new[] { x, w, b }) t.Grad = null;
            var xc = rms ? x : x - x.Mean(-1, keepDim: true);
            var y = xc * (xc.Square().Mean(-1, keepDim: true) + (rms ? 1e-6f : 1e-5f)).Rsqrt() * w;
            (rms ? y : y + b).Backward(gy);
            var composite = new[] { x.Grad!.ToArray(), w.Grad!.ToArray(), rms ? null : b.Grad!.ToArray() };
            for (int k = 0; k < 3; k++)
            {
                if (fused[k] is null) continue;
                for (int i = 0; i < fused[k]!.Length; i++)
                    Assert.True(Math.Abs(fused[k]![i] - composite[k]![i]) <= 1e-4 * (1 + Math.Abs(composite[k]![i])), $"rms={rms} input {k} element {i}: {fused[k]![i]} vs {composite[k]![i]}");
            }
        }
    }

    [Fact]
    public void RmsNormBackward()
    {
        GradCheck.Check(t => Tensor.RmsNorm(t[0], t[1]), [R(1, 3, 5), R(2, 5)]);
        GradCheck.Check(t => Tensor.RmsNorm(t[0], null), [R(3, 2, 1, 6)]);
        GradCheck.Check(t => Tensor.RmsNorm(t[0], t[1]), [R(4, 3, 1) + 2f, R(5, 1)]);
        GradCheck.Check(t => Tensor.RmsNorm(t[0], t[1]) * 2f + Tensor.RmsNorm(t[0], t[1]), [R(6, 2, 4), R(7, 4)]);
    }

    [Fact]
    public void NonContiguousInputIsNormalisedLikeItsCopy()
    {
        var x = R(1, 5, 4).MT; // [4, 5] view
        var a = Tensor.LayerNorm(x, null, null).ToArray();
        var b = Tensor.LayerNorm(Tensor.FromArray(x.ToArray(), 4, 5), null, null).ToArray();
        Assert.Equal(b, a);
    }

    [Fact]
    public void BadShapesNameOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(Tensor.Ones(2, 4), Tensor.Ones(3), null));
        Assert.Contains("LayerNorm", ex.Message); Assert.Contains("[3]", ex.Message); Assert.Contains("[2, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(Tensor.Ones(2, 4), null, Tensor.Ones(4, 1)));
        Assert.Contains("bias", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.RmsNorm(Tensor.Zeros(2, 0), null));
        Assert.Contains("RmsNorm", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(Tensor.Ones(2, 4), null, null, -1f));
        Assert.Contains("eps", ex.Message);
    }
}
