using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Transport;

public class GuidanceTests
{
    [Fact]
    public void CfgBatchingEqualsSeparateCalls()
    {
        var spy = new SpyModel(numClasses: 10);
        var cfg = new ClassifierFreeGuidance(spy, 3.0);
        var x = Tensor.RandN(new Generator(1), 4, 2, 3);
        var t = Tensor.FromArray(new float[] { 0.1f, 0.4f, 0.7f, 0.95f }, 4);
        int[] labels = [1, 5, 9, 0];
        var y = cfg.Forward(x, t, labels).ToArray();
        Assert.Single(spy.Times);                       // one batched call
        Assert.Equal(8, spy.Times[0].Length);
        Assert.Equal(new[] { 1, 5, 9, 0, 10, 10, 10, 10 }, spy.Labels[0]);
        var reference = new SpyModel(numClasses: 10);
        var c = reference.Forward(x, t, labels).ToArray();
        var u = reference.Forward(x, t, [10, 10, 10, 10]).ToArray();
        for (int i = 0; i < y.Length; i++) Assert.Equal(u[i] + 3 * (c[i] - u[i]), y[i], 1e-5);
    }

    [Fact]
    public void CfgIntervalIsRespected()
    {
        var spy = new SpyModel(numClasses: 4);
        var cfg = new ClassifierFreeGuidance(spy, 2.0, 0.3, 0.6);
        var x = Tensor.RandN(new Generator(2), 3, 5);
        var t = Tensor.FromArray(new float[] { 0.1f, 0.5f, 0.9f }, 3);
        int[] labels = [0, 1, 2];
        var y = cfg.Forward(x, t, labels).ToArray();
        var reference = new SpyModel(numClasses: 4);
        var c = reference.Forward(x, t, labels).ToArray();
        var u = reference.Forward(x, t, [4, 4, 4]).ToArray();
        for (int j = 0; j < 5; j++)
        {
            Assert.Equal(c[j], y[j], 1e-5);                                   // t = 0.1 outside: conditional
            Assert.Equal(u[5 + j] + 2 * (c[5 + j] - u[5 + j]), y[5 + j], 1e-5); // t = 0.5 inside: guided
            Assert.Equal(c[10 + j], y[10 + j], 1e-5);                         // t = 0.9 outside
        }
        // all outside: only the conditional half is evaluated
        var spy2 = new SpyModel(numClasses: 4);
        var out2 = new ClassifierFreeGuidance(spy2, 2.0, 0.3, 0.6).Forward(x, Tensor.Full(0.9f, 3), labels);
        Assert.Equal(3, spy2.Times[0].Length);
        Assert.Equal(reference.Forward(x, Tensor.Full(0.9f, 3), labels).ToArray(), out2.ToArray());
    }

    [Fact]
    public void CfgValidatesItsOptions()
    {
        var m = new SpyModel(numClasses: 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ClassifierFreeGuidance(m, 1, 0.7, 0.2));
        Assert.Contains("tMin", ex.Message); Assert.Contains("tMax", ex.Message);
        Assert.Contains("scale", Assert.Throws<ArgumentOutOfRangeException>(() => new ClassifierFreeGuidance(m, -1)).Message);
        Assert.Contains("NumClasses", Assert.Throws<ArgumentException>(() => new ClassifierFreeGuidance(new SpyModel(), 2)).Message);
        var cfg = new ClassifierFreeGuidance(m, 2);
        Assert.Contains("labels", Assert.Throws<ArgumentException>(() => cfg.Forward(Tensor.Zeros(2, 1), Tensor.Zeros(2), null)).Message);
        Assert.Contains("label 7", Assert.Throws<ArgumentException>(() => cfg.Forward(Tensor.Zeros(2, 1), Tensor.Zeros(2), [0, 7])).Message);
    }

    [Fact]
    public void AutoGuidanceExtrapolatesFromTheWeakModel()
    {
        var f = new SpyModel(a: 0.5f, b: 0.25f);
        var g = new SpyModel(a: 0.2f, b: -0.1f);
        var ag = new AutoGuidance(f, g, 2.5);
        var x = Tensor.RandN(new Generator(3), 4, 3);
        var t = Tensor.Full(0.3f, 4);
        var y = ag.Forward(x, t, null).ToArray();
        var fa = f.Forward(x, t, null).ToArray(); var ga = g.Forward(x, t, null).ToArray();
        for (int i = 0; i < y.Length; i++) Assert.Equal(ga[i] + 2.5 * (fa[i] - ga[i]), y[i], 1e-5);
        Assert.Contains("scale", Assert.Throws<ArgumentOutOfRangeException>(() => new AutoGuidance(f, g, -0.5)).Message);
    }

    [Fact]
    public void GuidedModelsDriveSamplers()
    {
        var tr = new FlowTransport();
        var cfg = new ClassifierFreeGuidance(new SpyModel(numClasses: 2), 1.5, 0.2, 0.8);
        var r = new FixedStepOdeSampler(tr, new OdeSamplerOptions(OdeMethod.Euler, 10)).Sample(cfg, Tensor.RandN(new Generator(1), 3, 2), [0, 1, 1]);
        Assert.Equal(10, r.Nfe);
        Assert.All(r.X.ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}
