namespace MixFlow.Tensors.Tests;

/// <summary>The per-(batch, head) fused attention: one tensor passed as q, k and v (shared gradient buffer) and more
/// matrices than chunks.</summary>
public class AttentionFusedTests
{
    [Fact]
    public void OneTensorAsQueriesKeysAndValuesGetsTheSummedGradient()
    {
        var gen = new Generator(21);
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0], t[0], t[0]), [Tensor.RandN(gen, 2, 3, 5, 4)]);
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[0], t[1], t[0]), [Tensor.RandN(gen, 2, 3, 5, 4), Tensor.RandN(gen, 2, 3, 5, 4)]);
        GradCheck.Check(t => Tensor.ScaledDotProductAttention(t[1], t[0], t[0], t[2]),
            [Tensor.RandN(gen, 1, 2, 6, 3), Tensor.RandN(gen, 1, 2, 4, 3), Tensor.RandN(gen, 1, 1, 4, 6)]);
    }

    [Fact]
    public void ManyMatricesMatchTheComposedOps()
    {
        var gen = new Generator(22);
        var q = Tensor.RandN(gen, 5, 4, 7, 8); var k = Tensor.RandN(gen, 5, 4, 9, 8); var v = Tensor.RandN(gen, 5, 4, 9, 3);
        var fused = Tensor.ScaledDotProductAttention(q, k, v).ToArray();
        var composed = Tensor.MatMul((Tensor.MatMul(q, k.MT) * (1f / MathF.Sqrt(8))).Softmax(-1), v).ToArray();
        for (int i = 0; i < fused.Length; i++) Assert.Equal(composed[i], fused[i], 5);
    }
}
