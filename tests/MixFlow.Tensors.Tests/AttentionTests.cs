namespace MixFlow.Tensors.Tests;

public class AttentionTests
{
    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    static Tensor Reference(Tensor q, Tensor k, Tensor v, Tensor? mask, float scale)
    {
        var s = q.MatMul(k.MT) * scale;
        if (mask is not null) s = s + mask;
        return s.Softmax().MatMul(v);
    }

    static void AssertClose(Tensor want, Tensor got, double tol = 1e-5)
    {
        Assert.Equal(want.Shape, got.Shape);
        var a = want.ToArray(); var b = got.ToArray();
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= tol, $"element {i}: {a[i]} vs {b[i]}");
    }

    [Fact]
    public void ForwardMatchesComposite()
    {
        var q = R(1, 2, 3, 4, 5); var k = R(2, 2, 3, 6, 5); var v = R(3, 2, 3, 6, 7);
        AssertClose(Reference(q, k, v, null, 1 / MathF.Sqrt(5)), Tensor.ScaledDotProductAttention(q, k, v));
        AssertClose(Reference(q, k, v, null, 0.3f), Tensor.ScaledDotProductAttention(q, k, v, scale: 0.3f));
        foreach (var mshape in new[] { new[] { 4, 6 }, new[] { 2, 1, 4, 6 }, new[] { 3, 1, 1 }, new[] { 2, 3, 4, 1 } })
        {
            var m = R(4, mshape);
            AssertClose(Reference(q, k, v, m, 1 / MathF.Sqrt(5)), Tensor.ScaledDotProductAttention(q, k, v, m));
        }
        // Rank 3 [B, T, D] with a [B, Tq, Tk] mask.
        var q3 = R(5, 2, 4, 3); var k3 = R(6, 2, 5, 3); var v3 = R(7, 2, 5, 2); var m3 = R(8, 2, 4, 5);
        AssertClose(Reference(q3, k3, v3, m3, 1 / MathF.Sqrt(3)), Tensor.ScaledDotProductAttention(q3, k3, v3, m3));
    }

    [Fact]
    public void CausalMaskWithNegativeInfinity()
    {
        int t = 4;
        var mask = Tensor.Zeros(t, t);
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) mask[i, j] = float.NegativeInfinity;
        var q = R(1, 1, 2, t, 3); var k = R(2, 1, 2, t, 3); var v = R(3, 1, 2, t, 3);
        var o = Tensor.ScaledDotProductAttention(q, k, v, mask);
        Assert.All(o.ToArray(), x => Assert.True(float.IsFinite(x)));
        // The first query sees only the first key: its output is the first value row.
        for (int h = 0; h < 2; h++) for (int d = 0; d < 3; d++) Assert.Equal(v[0, h, 0, d], o[0, h, 0, d], 6);
        AssertClose(Reference(q, k, v, mask, 1 / MathF.Sqrt(3)), o);
    }

    [Fact]
    public void Backward()
    {
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0], t[1], t[2]), [R(1, 2, 2, 3, 4), R(2, 2, 2, 5, 4), R(3, 2, 2, 5, 3)]);
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0], t[1], t[2], t[3]), [R(4, 1, 2, 3, 2), R(5, 1, 2, 4, 2), R(6, 1, 2, 4, 2), R(7, 3, 4)]);
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0], t[1], t[2], t[3], 0.7f), [R(8, 2, 1, 3, 2), R(9, 2, 1, 3, 2), R(10, 2, 1, 3, 2), R(11, 2, 1, 1, 3)]);
        // T = 1 (a single query and key: the softmax is 1, so dQ = dK = 0 and dV = dO).
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0], t[1], t[2]), [R(12, 2, 3, 1, 4), R(13, 2, 3, 1, 4), R(14, 2, 3, 1, 4)]);
        // Rank 3 with a mask, and self-attention with one tensor as q, k and v (gradients accumulate).
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0], t[1], t[2], t[3]), [R(15, 2, 3, 2), R(16, 2, 4, 2), R(17, 2, 4, 3), R(18, 2, 3, 4)]);
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0], t[0], t[0]), [R(19, 1, 2, 4, 3)]);
        // Non-contiguous q/k/v (head split by a permute, as in a transformer block).
        GradCheck.Check(t =>
        {
            var qkv = t[0].Reshape(2, 3, 3, 2, 2).Permute(2, 0, 3, 1, 4); // [3, B, H, T, hd]
            return Tensor.ScaledDotProductAttention(qkv.Slice(0, 0, 1).Squeeze(0), qkv.Slice(0, 1, 2).Squeeze(0), qkv.Slice(0, 2, 3).Squeeze(0));
        }, [R(20, 2, 3, 12)]);
        // Keys and values shared by all heads through a broadcast (stride-0) head dimension.
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0], t[1].Expand(2, 3, 4, 2), t[2].Expand(2, 3, 4, 2)), [R(21, 2, 3, 3, 2), R(22, 2, 1, 4, 2), R(23, 2, 1, 4, 2)]);
    }

    [Fact]
    public void StridedInputsAreReadInPlaceAndMatchContiguousCopies()
    {
        // Head split of [B, T, H·D] projections by a transpose view: strides (T·H·D, D, H·D, 1).
        Tensor Heads(ulong seed) => R(seed, 3, 5, 4 * 6).Reshape(3, 5, 4, 6).Transpose(1, 2);
        Tensor Copy(Tensor t) => Tensor.FromArray(t.ToArray(), t.Shape);
        var q = Heads(24).RequireGrad(); var k = Heads(25); var v = Heads(26);
        Assert.False(q.IsContiguous);
        var o = Tensor.ScaledDotProductAttention(q, k, v);
        Assert.Same(q, o.GradFn!.Inputs[0]); // no contiguous copy was recorded
        AssertClose(Tensor.ScaledDotProductAttention(Copy(q), Copy(k), Copy(v)), o, 1e-6);
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0].Reshape(2, 3, 2, 2).Transpose(1, 2), t[1].Reshape(2, 4, 2, 2).Transpose(1, 2), t[2].Reshape(2, 4, 2, 3).Transpose(1, 2)),
            [R(27, 2, 3, 4), R(28, 2, 4, 4), R(29, 2, 4, 6)]);
        // Keys/values broadcast over heads (stride 0).
        var kb = R(30, 3, 1, 5, 6);
        var c = Tensor.ScaledDotProductAttention(q, kb.Expand(3, 4, 5, 6), kb.Expand(3, 4, 5, 6));
        var d = Tensor.ScaledDotProductAttention(Copy(q), Copy(kb.Expand(3, 4, 5, 6)), Copy(kb.Expand(3, 4, 5, 6)));
        AssertClose(d, c, 1e-6);
    }

    [Fact]
    public void BadShapesNameOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(Tensor.Ones(1, 2, 3, 4), Tensor.Ones(1, 2, 5, 3), Tensor.Ones(1, 2, 5, 4)));
        Assert.Contains("ScaledDotProductAttention", ex.Message); Assert.Contains("[1, 2, 5, 3]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(Tensor.Ones(1, 2, 3, 4), Tensor.Ones(1, 2, 5, 4), Tensor.Ones(1, 2, 4, 4)));
        Assert.Contains("v [1, 2, 4, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(Tensor.Ones(1, 2, 3, 4), Tensor.Ones(1, 2, 5, 4), Tensor.Ones(1, 2, 5, 4), Tensor.Ones(3, 4)));
        Assert.Contains("mask of shape [3, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(Tensor.Ones(2, 3, 4), Tensor.Ones(1, 2, 3, 4), Tensor.Ones(1, 2, 3, 4)));
        Assert.Contains("rank", ex.Message);
    }
}
