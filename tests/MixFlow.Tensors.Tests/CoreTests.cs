namespace MixFlow.Tensors.Tests;

[Collection(AllocationCounterCollection.Name)]
public class CoreTests
{
    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    [Fact]
    public void BroadcastAddMatchesManual()
    {
        var a = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var b = Tensor.FromArray(new float[] { 10, 20, 30 }, 3);
        var c = Tensor.FromArray(new float[] { 100, 200 }, 2, 1);
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, (a + b).ToArray());
        Assert.Equal(new float[] { 101, 102, 103, 204, 205, 206 }, (a + c).ToArray());
        Assert.Equal(new float[] { -99, -98, -97, -196, -195, -194 }, (a - c).ToArray());
    }

    [Fact]
    public void ShapeMismatchNamesOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3) + Tensor.Ones(4));
        Assert.Contains("Add", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4]", ex.Message);
    }

    [Theory]
    [InlineData("add")] [InlineData("sub")] [InlineData("mul")] [InlineData("div")]
    public void BinaryBackwardWithBroadcast(string op)
    {
        Func<Tensor[], Tensor> f = op switch
        {
            "add" => x => x[0] + x[1],
            "sub" => x => x[0] - x[1],
            "mul" => x => x[0] * x[1],
            _ => x => x[0] / (x[1].Square() + 1f),
        };
        GradCheck.Check(f, [R(1, 3, 1, 4), R(2, 5, 1)]);
        GradCheck.Check(f, [R(3, 2, 3), R(4, 3)]);
    }

    [Fact]
    public void UnaryBackward()
    {
        var x = R(5, 3, 7);
        GradCheck.Check(t => t[0].Tanh(), [x]);
        GradCheck.Check(t => t[0].Silu(), [x]);
        GradCheck.Check(t => t[0].Gelu(true), [x]);
        GradCheck.Check(t => t[0].Gelu(false), [x]);
        GradCheck.Check(t => t[0].Sigmoid(), [x]);
        GradCheck.Check(t => t[0].Exp(), [x]);
        GradCheck.Check(t => t[0].Sin(), [x]);
        GradCheck.Check(t => t[0].Cos(), [x]);
        GradCheck.Check(t => (t[0].Square() + 0.5f).Log(), [x]);
        GradCheck.Check(t => (t[0].Square() + 0.5f).Sqrt(), [x]);
        GradCheck.Check(t => (t[0].Square() + 0.5f).Rsqrt(), [x]);
        GradCheck.Check(t => (t[0].Square() + 0.5f).Pow(1.5f), [x]);
    }

    [Fact]
    public void ReductionsAndViewsBackward()
    {
        GradCheck.Check(t => t[0].Sum(1), [R(1, 3, 4, 5)]);
        GradCheck.Check(t => t[0].Sum([0, 2], keepDim: true), [R(2, 3, 4, 5)]);
        GradCheck.Check(t => t[0].Mean(), [R(3, 3, 4)]);
        // Well-separated values so that ±h never changes which element is the maximum.
        var perm = new Generator(4).Permutation(12).Select(v => v * 0.1f).ToArray();
        GradCheck.Check(t => t[0].Max(1), [Tensor.FromArray(perm, 3, 4)]);
        GradCheck.Check(t => t[0].Permute(2, 0, 1).Reshape(4, -1).Slice(1, 1, 5, 2), [R(5, 2, 3, 4)]);
        GradCheck.Check(t => Tensor.Concat([t[0], t[1]], 1), [R(6, 2, 3), R(7, 2, 2)]);
    }

    [Theory]
    [InlineData(1, 1, 1)] [InlineData(3, 5, 7)] [InlineData(17, 3, 9)]
    public void MatMulBackwardAllLayouts(int m, int k, int n)
    {
        GradCheck.Check(t => t[0].MatMul(t[1]), [R(1, m, k), R(2, k, n)]);
        GradCheck.Check(t => t[0].MatMul(t[1].MT), [R(1, 2, m, k), R(2, 2, n, k)]);
        GradCheck.Check(t => t[0].MT.MatMul(t[1]), [R(1, 2, k, m), R(2, k, n)]);
        GradCheck.Check(t => Tensor.Linear(t[0], t[1], t[2]), [R(3, 2, m, k), R(4, n, k), R(5, n)]);
    }

    [Fact]
    public void ScopeReturnsBuffersToPool()
    {
        var p = R(1, 64, 64).RequireGrad();
        for (int i = 0; i < 3; i++)
        {
            using var scope = new TensorScope();
            var loss = p.MatMul(p).Tanh().Sum();
            loss.Backward();
        }
        long before = Memory.BufferPool.AllocatedBytes;
        for (int i = 0; i < 3; i++)
        {
            using var scope = new TensorScope();
            var loss = p.MatMul(p).Tanh().Sum();
            loss.Backward();
        }
        Assert.Equal(before, Memory.BufferPool.AllocatedBytes);
        Assert.NotNull(p.Grad);
    }
}
