namespace MixFlow.Tensors.Tests;

public class LossTests
{
    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    [Fact]
    public void MseMatchesDefinition()
    {
        var p = R(1, 3, 7); var t = R(2, 3, 7);
        var pa = p.ToArray(); var ta = t.ToArray();
        double want = 0;
        for (int i = 0; i < pa.Length; i++) want += (pa[i] - (double)ta[i]) * (pa[i] - ta[i]);
        Assert.Equal(want / pa.Length, Tensor.MseLoss(p, t).Item(), 5);
        Assert.Equal(0, Tensor.MseLoss(p, p).Item());
        // A large input spans several partial-sum blocks.
        var big = R(3, 70000); var zero = Tensor.Zeros(70000);
        var ba = big.ToArray(); double s = 0; foreach (var v in ba) s += v * (double)v;
        Assert.Equal(s / ba.Length, Tensor.MseLoss(big, zero).Item(), 4);
    }

    [Fact]
    public void MseBackward()
    {
        GradCheck.Check(t => Tensor.MseLoss(t[0], t[1]), [R(3, 4, 5), R(4, 4, 5)]);
        GradCheck.Check(t => Tensor.MseLoss(t[0], t[1]), [R(5, 1), R(6, 1)]);
        GradCheck.Check(t => Tensor.MseLoss(t[0].MT, t[1]) + Tensor.MseLoss(t[0].MT, t[1]), [R(7, 3, 2), R(8, 2, 3)]);
    }

    [Fact]
    public void CrossEntropyIsMinusLogSoftmaxAtLabel()
    {
        var x = R(9, 5, 7) * 3f;
        int[] labels = [0, 6, 3, 3, 1];
        var ls = x.LogSoftmax().ToArray();
        double want = 0;
        for (int i = 0; i < 5; i++) want -= ls[i * 7 + labels[i]];
        Assert.Equal(want / 5, Tensor.CrossEntropy(x, labels).Item(), 5);
        // Huge logits stay finite: a confident correct row costs ≈0, a confident wrong one the logit gap (1e4),
        // and the small log-sum term survives next to a huge maximum.
        var h = Tensor.FromArray(new float[] { 1e4f, -1e4f, 0f, -1e4f, 1e4f, 0f, 1e4f, 1e4f - 1f, 0f }, 3, 3);
        Assert.Equal((1e4 + Math.Log(1 + Math.Exp(-1))) / 3, Tensor.CrossEntropy(h, [0, 2, 0]).Item(), 2);
        var hx = Tensor.FromArray(new float[] { 1e4f, 1e4f - 1f }, 1, 2).RequireGrad();
        Tensor.CrossEntropy(hx, [0]).Backward();
        Assert.Equal(1 / (1 + Math.E) , -hx.Grad![0, 0], 5);
        Assert.Equal(0.0, Tensor.CrossEntropy(Tensor.FromArray(new float[] { 1e4f, 1e4f - 1f }, 1, 2), [0]).Item() - Math.Log(1 + Math.Exp(-1)), 5);
    }

    [Fact]
    public void CrossEntropyBackward()
    {
        GradCheck.Check(t => Tensor.CrossEntropy(t[0], [2, 0, 1, 2]), [R(10, 4, 3)]);
        GradCheck.Check(t => Tensor.CrossEntropy(t[0], [4]), [R(11, 1, 5)]);   // N = 1
        GradCheck.Check(t => Tensor.CrossEntropy(t[0], [0]), [R(12, 1, 1)]);   // C = 1
        GradCheck.Check(t => Tensor.CrossEntropy(t[0], [1, 0]) * 2f + Tensor.CrossEntropy(t[0], [0, 0]), [R(13, 2, 2)]);
    }

    [Fact]
    public void BadInputsNameOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(Tensor.Ones(2, 3), [0, 3]));
        Assert.Contains("CrossEntropy", ex.Message); Assert.Contains("label 3", ex.Message); Assert.Contains("3 classes", ex.Message);
        Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(Tensor.Ones(2, 3), [0]));
        Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(Tensor.Ones(2, 3, 1), [0, 0]));
        ex = Assert.Throws<ArgumentException>(() => Tensor.MseLoss(Tensor.Ones(2, 3), Tensor.Ones(3)));
        Assert.Contains("MseLoss", ex.Message); Assert.Contains("[2, 3]", ex.Message);
    }
}
