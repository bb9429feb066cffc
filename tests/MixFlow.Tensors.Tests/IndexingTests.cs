namespace MixFlow.Tensors.Tests;

public class IndexingTests
{
    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    [Fact]
    public void EmbeddingLooksUpRows()
    {
        var w = R(1, 5, 3);
        var e = Tensor.Embedding(w, [4, 0, 4]);
        Assert.Equal(new[] { 3, 3 }, e.Shape);
        for (int i = 0; i < 3; i++) { Assert.Equal(w[4, i], e[0, i]); Assert.Equal(w[0, i], e[1, i]); Assert.Equal(w[4, i], e[2, i]); }
        var e2 = Tensor.Embedding(w, [1, 2, 3, 4, 0, 1], [2, 3]);
        Assert.Equal(new[] { 2, 3, 3 }, e2.Shape);
        Assert.Equal(w[4, 2], e2[1, 0, 2]);
    }

    [Fact]
    public void EmbeddingBackwardScatterAddsRepeatedIndices()
    {
        GradCheck.Check(t => Tensor.Embedding(t[0], [2, 0, 2, 2, 3]), [R(2, 4, 3)]);
        var w = R(3, 4, 2).RequireGrad();
        Tensor.Embedding(w, [1, 1, 3]).Sum().Backward();
        Assert.Equal(new float[] { 0, 0, 2, 2, 0, 0, 1, 1 }, w.Grad!.ToArray());
        Tensor.Embedding(w, [0]).Sum().Backward(); // accumulates into the existing gradient
        Assert.Equal(new float[] { 1, 1, 2, 2, 0, 0, 1, 1 }, w.Grad!.ToArray());
    }

    [Fact]
    public void EmbeddingOutOfRangeNamesIndexAndTableSize()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Embedding(Tensor.Ones(10, 4), [1, 12]));
        Assert.Contains("12", ex.Message); Assert.Contains("10 rows", ex.Message); Assert.Contains("Embedding", ex.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Embedding(Tensor.Ones(10, 4), [-1]));
        Assert.Throws<ArgumentException>(() => Tensor.Embedding(Tensor.Ones(10, 4), [1, 2], [3]));
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(-1)]
    public void IndexSelectForwardAndBackward(int dim)
    {
        var x = R(4, 3, 4, 5);
        int[] idx = [2, 0, 2];
        var y = x.IndexSelect(dim, idx);
        int a = dim < 0 ? dim + 3 : dim;
        var want = Tensor.Concat(idx.Select(i => x.Slice(a, i, i + 1)).ToList(), a);
        Assert.Equal(want.Shape, y.Shape);
        Assert.Equal(want.ToArray(), y.ToArray());
        GradCheck.Check(t => t[0].IndexSelect(dim, idx), [R(5, 3, 4, 5)]);
    }

    [Fact]
    public void IndexSelectOutOfRange()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones(3, 4).IndexSelect(1, [0, 4]));
        Assert.Contains("IndexSelect", ex.Message); Assert.Contains("index 4", ex.Message); Assert.Contains("size 4", ex.Message);
    }

    [Fact]
    public void GatherFollowsTorchSemantics()
    {
        // torch.gather(x, 1, [[0, 0], [1, 0]]) on [[1, 2], [3, 4]] = [[1, 1], [4, 3]]
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        Assert.Equal(new float[] { 1, 1, 4, 3 }, x.Gather(1, [0, 0, 1, 0], [2, 2]).ToArray());
        // dim 0 with an index smaller than x in the other dimension: out[i][j] = x[index[i][j]][j]
        var x2 = Tensor.Arange(0, 12).Reshape(3, 4);
        var g = x2.Gather(0, [2, 1, 0, 0, 1, 2], [2, 3]);
        Assert.Equal(new float[] { 8, 5, 2, 0, 5, 10 }, g.ToArray());
        GradCheck.Check(t => t[0].Gather(-1, [0, 2, 2, 1, 1, 0, 0, 0], [2, 2, 2]), [R(6, 2, 3, 3)]);
        GradCheck.Check(t => t[0].Gather(1, [0, 2, 2, 1, 1, 0], [1, 3, 2]), [R(7, 2, 3, 3)]);
    }

    [Fact]
    public void GatherValidates()
    {
        var x = Tensor.Ones(2, 3);
        Assert.Contains("index 3", Assert.Throws<ArgumentException>(() => x.Gather(1, [0, 3], [1, 2])).Message);
        Assert.Contains("rank", Assert.Throws<ArgumentException>(() => x.Gather(1, [0, 1], [2])).Message);
        Assert.Contains("exceeds", Assert.Throws<ArgumentException>(() => x.Gather(1, [0, 0, 0], [3, 1])).Message);
        Assert.Contains("cannot fill", Assert.Throws<ArgumentException>(() => x.Gather(1, [0, 0, 0], [2, 1])).Message);
    }
}
