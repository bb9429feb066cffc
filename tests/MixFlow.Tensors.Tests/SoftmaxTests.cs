namespace MixFlow.Tensors.Tests;

public class SoftmaxTests
{
    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(-1)]
    public void RowsSumToOneAndMatchDefinition(int axis)
    {
        var x = R(1, 3, 4, 5);
        var y = x.Softmax(axis);
        var s = y.Sum(axis).ToArray();
        foreach (var v in s) Assert.Equal(1.0, v, 5);
        // exp(x) / Σ exp(x) in double, element by element.
        int a = axis < 0 ? axis + 3 : axis;
        var xa = x.ToArray(); var ya = y.ToArray(); var shape = x.Shape;
        var strides = new[] { 20, 5, 1 };
        for (int i = 0; i < xa.Length; i++)
        {
            int baseIdx = i - (i / strides[a] % shape[a]) * strides[a];
            double den = 0;
            for (int j = 0; j < shape[a]; j++) den += Math.Exp(xa[baseIdx + j * strides[a]]);
            Assert.Equal(Math.Exp(xa[i]) / den, ya[i], 5);
        }
    }

    [Fact]
    public void HugeLogitsGiveNoNaNOrInf()
    {
        var x = Tensor.FromArray(new float[] { 1e4f, -1e4f, 0f, 1e4f - 1f, 5e3f, 1e4f }, 2, 3);
        var y = x.Softmax().ToArray();
        var ly = x.LogSoftmax().ToArray();
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Assert.All(ly, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1.0, y[0], 6);
        Assert.Equal(-2e4, ly[1], 1);
        Assert.Equal(1 / (1 + Math.Exp(-1)), y[5], 5);
        Assert.Equal(-Math.Log(1 + Math.Exp(-1)), ly[5], 5);
    }

    [Theory]
    [InlineData(-1)] [InlineData(0)]
    public void LogSoftmaxIsLogOfSoftmax(int axis)
    {
        var x = R(2, 4, 7) * 3f;
        var a = x.LogSoftmax(axis).ToArray();
        var b = x.Softmax(axis).ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(Math.Log(b[i]), a[i], 4);
    }

    [Fact]
    public void Backward()
    {
        GradCheck.Check(t => t[0].Softmax(), [R(3, 3, 5)]);
        GradCheck.Check(t => t[0].Softmax(0), [R(4, 3, 2, 4)]);
        GradCheck.Check(t => t[0].Softmax(1), [R(5, 3, 1, 4)]);
        GradCheck.Check(t => t[0].LogSoftmax(), [R(6, 3, 5)]);
        GradCheck.Check(t => t[0].LogSoftmax(1), [R(7, 2, 4, 3)]);
        GradCheck.Check(t => t[0].LogSoftmax(), [R(8, 1, 1)]);
        // The input feeds two fused ops: the second backward must accumulate, not overwrite.
        GradCheck.Check(t => t[0].Softmax() * 2f + t[0].LogSoftmax(), [R(9, 2, 6)]);
    }

    [Fact]
    public void RejectsScalarAndBadAxis()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).Softmax());
        Assert.Contains("Softmax", ex.Message);
        var ex2 = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Ones(2, 3).LogSoftmax(2));
        Assert.Contains("LogSoftmax", ex2.Message);
    }
}
