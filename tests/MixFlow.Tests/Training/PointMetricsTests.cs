using MixFlow.Tensors;
using MixFlow.Training;

namespace MixFlow.Tests.Training;

public class PointMetricsTests
{
    [Fact]
    public void SlicedW2_OfShiftedSet_MatchesClosedForm()
    {
        // Y = X + c: every projection is shifted by θ·c, so SW2² = E_θ[(θ·c)²] = |c|²/d for θ uniform on the sphere.
        var gen = new Generator(1);
        var x = Tensor.RandN(gen, 500, 2);
        var c = new[] { 0.6f, -0.8f };
        var y = x + Tensor.FromArray(c, 1, 2);
        double sw = PointMetrics.SlicedWasserstein2(x, y, 4000, new Generator(2));
        Assert.InRange(sw, Math.Sqrt(0.5) * 0.97, Math.Sqrt(0.5) * 1.03);
        Assert.Equal(0, PointMetrics.SlicedWasserstein2(x, x, 10, new Generator(3)), 6);
    }

    [Fact]
    public void Mmd_IsNearZeroForSameDistribution_AndPositiveForDifferent()
    {
        var gen = new Generator(5);
        var a = Tensor.RandN(gen, 400, 2);
        var b = Tensor.RandN(gen, 400, 2);
        var far = Tensor.RandN(gen, 400, 2) + 2f;
        double same = PointMetrics.RbfMmd2(a, b, 1.0), diff = PointMetrics.RbfMmd2(a, far, 1.0);
        Assert.InRange(same, -0.01, 0.01);
        Assert.True(diff > 0.3, $"MMD² of shifted sets {diff}");
        Assert.Throws<ArgumentException>(() => PointMetrics.SlicedWasserstein2(a, Tensor.RandN(gen, 3, 2), 4, gen));
    }
}
