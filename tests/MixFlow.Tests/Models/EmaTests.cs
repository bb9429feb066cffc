using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;

namespace MixFlow.Tests.Models;

public class EmaTests
{
    sealed class Toy : Module
    {
        public Toy()
        {
            W = RegisterParameter("w", Tensor.FromArray([1f, 2f, 3f], 3));
            B = RegisterBuffer("stat", Tensor.FromArray([10f], 1));
            Lin = RegisterModule("lin", new Linear(2, 2, new Generator(1)));
        }
        public Tensor W { get; }
        public Tensor B { get; }
        public Linear Lin { get; }
    }

    [Fact]
    public void UpdateFollowsWarmupScheduleInDouble()
    {
        var m = new Toy();
        var ema = new Ema(m, decay: 0.5f, warmup: true);
        double[] shadow = [1, 2, 3];
        double[] cur = [1, 2, 3];
        for (int step = 0; step < 12; step++)
        {
            for (int i = 0; i < 3; i++) cur[i] += (step + 1) * (i + 1) * 0.25;
            cur.Select(v => (float)v).ToArray().CopyTo(m.W.AsSpan());
            double d = Math.Min(0.5, (1.0 + step) / (10.0 + step));
            Assert.Equal((float)d, ema.CurrentDecay, 6);
            ema.Update(m);
            for (int i = 0; i < 3; i++) shadow[i] = d * shadow[i] + (1 - d) * (float)cur[i];
            var s = ema.Shadow[0].Tensor.ToArray();
            for (int i = 0; i < 3; i++) Assert.Equal(shadow[i], s[i], 4);
        }
        Assert.Equal(12, ema.Steps);
    }

    [Fact]
    public void ConstantDecayWithoutWarmupAndBuffersCopied()
    {
        var m = new Toy();
        var ema = new Ema(m, decay: 0.9f, warmup: false);
        Assert.Equal(0.9f, ema.CurrentDecay);
        m.W.AsSpan().Fill(11f);
        m.B.AsSpan()[0] = 42f;
        ema.Update(m);
        var sh = ema.Shadow[0].Tensor.ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(0.9 * (i + 1) + 0.1 * 11, sh[i], 5);
        using (ema.Apply(m)) Assert.Equal(42f, m.B.ToArray()[0]);
    }

    [Fact]
    public void ApplySwapsInAndRestores()
    {
        var m = new Toy();
        var ema = new Ema(m, decay: 0.5f, warmup: false);
        m.W.AsSpan().Fill(5f);
        var linBefore = m.Lin.Weight.ToArray();
        ema.Update(m);
        using (ema.Apply(m))
        {
            Assert.Equal(new[] { 3f, 3.5f, 4f }, m.W.ToArray());
            Assert.Equal(linBefore, m.Lin.Weight.ToArray());
        }
        Assert.Equal(new[] { 5f, 5f, 5f }, m.W.ToArray());
        ema.CopyTo(m);
        Assert.Equal(new[] { 3f, 3.5f, 4f }, m.W.ToArray());
    }

    [Fact]
    public void StateDictRoundTripAndErrors()
    {
        var m = new Toy();
        var ema = new Ema(m, decay: 0.5f);
        m.W.AsSpan().Fill(7f);
        ema.Update(m); ema.Update(m);
        var sd = ema.StateDict();
        Assert.Contains(sd, s => s.Name == "ema.w");
        Assert.Contains(sd, s => s.Name == "ema.lin.weight");
        Assert.Contains(sd, s => s.Name == "ema.stat");
        var dict = sd.ToDictionary(s => s.Name, s => Tensor.FromArray(s.Tensor.ToArray(), s.Tensor.Shape));
        var ema2 = new Ema(new Toy(), decay: 0.5f);
        ema2.Load(dict);
        Assert.Equal(2, ema2.Steps);
        Assert.Equal(ema.Shadow[0].Tensor.ToArray(), ema2.Shadow[0].Tensor.ToArray());
        dict.Remove("ema.w");
        dict["ema.bogus"] = Tensor.Zeros(1);
        var e = Assert.Throws<ArgumentException>(() => ema2.Load(dict));
        Assert.Contains("ema.w", e.Message);
        Assert.Contains("ema.bogus", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ema(m, decay: 1.5f));
    }
}
