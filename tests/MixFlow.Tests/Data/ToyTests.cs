using MixFlow.Data;
using MixFlow.Tensors;

namespace MixFlow.Tests.Data;

public class ToyTests
{
    [Fact]
    public void DeterministicPerSeedAndShaped()
    {
        foreach (var kind in Enum.GetValues<Toy2D>())
        {
            var a = new ToyDataset(kind, 500, 7);
            var b = new ToyDataset(kind, 500, 7);
            var c = new ToyDataset(kind, 500, 8);
            Assert.Equal(a.Points, b.Points);
            Assert.NotEqual(a.Points, c.Points);
            Assert.Equal((500, 0), (a.Count, a.NumClasses));
            Assert.Equal(new[] { 2 }, a.SampleShape);
            var s1 = a.Sample(300, new Generator(3));
            var s2 = ToyDataset.Sample(kind, 300, new Generator(3));
            Assert.Equal(new[] { 300, 2 }, s1.Shape);
            Assert.Equal(s1.ToArray(), s2.ToArray());
            var x = a.Gather([4, 1], out var labels);
            Assert.Null(labels);
            Assert.Equal(new[] { a.Points[8], a.Points[9], a.Points[2], a.Points[3] }, x.ToArray());
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToyDataset(Toy2D.Rings, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToyDataset((Toy2D)99, 10, 1));
    }

    static float[] Draw(Toy2D kind, int n = 20000) => ToyDataset.Sample(kind, n, new Generator(11)).ToArray();

    [Theory]
    [InlineData(Toy2D.Checkerboard)] [InlineData(Toy2D.EightGaussians)] [InlineData(Toy2D.TwoMoons)]
    [InlineData(Toy2D.Spirals)] [InlineData(Toy2D.Rings)] [InlineData(Toy2D.SwissRoll)]
    public void WithinUsualRangeAndCentred(Toy2D kind)
    {
        var p = Draw(kind);
        Assert.All(p, v => Assert.InRange(v, -4.6f, 4.6f));
        double mx = 0, my = 0, sx = 0;
        for (int i = 0; i < p.Length; i += 2) { mx += p[i]; my += p[i + 1]; sx += p[i] * p[i]; }
        int n = p.Length / 2;
        mx /= n; my /= n;
        double std = Math.Sqrt(sx / n - mx * mx);
        Assert.InRange(std, 0.7, 3.0); // spread over the box, not collapsed
        if (kind != Toy2D.SwissRoll)   // the others are symmetric about the origin
        {
            Assert.InRange(mx, -0.08, 0.08);
            Assert.InRange(my, -0.08, 0.08);
        }
    }

    [Fact]
    public void CheckerboardFillsTheEightEvenSquaresUniformly()
    {
        var p = Draw(Toy2D.Checkerboard);
        var counts = new int[16];
        for (int i = 0; i < p.Length; i += 2)
        {
            int col = (int)Math.Floor((p[i] + 4) / 2), row = (int)Math.Floor((p[i + 1] + 4) / 2);
            Assert.Equal(0, (row + col) % 2);
            counts[row * 4 + col]++;
        }
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                if ((r + c) % 2 == 0) Assert.InRange(counts[r * 4 + c], 2500 - 250, 2500 + 250);
    }

    [Fact]
    public void EightGaussiansAndRingsHaveTheirRadii()
    {
        var g = Draw(Toy2D.EightGaussians);
        double rsum = 0;
        var modes = new int[8];
        for (int i = 0; i < g.Length; i += 2)
        {
            rsum += Math.Sqrt(g[i] * g[i] + g[i + 1] * g[i + 1]);
            int k = (int)Math.Round(Math.Atan2(g[i + 1], g[i]) / (Math.PI / 4));
            modes[(k + 8) % 8]++;
        }
        Assert.InRange(rsum / (g.Length / 2), 2.95, 3.05);
        Assert.All(modes, m => Assert.InRange(m, 2500 - 250, 2500 + 250));

        var r = Draw(Toy2D.Rings);
        var ring = new int[4];
        for (int i = 0; i < r.Length; i += 2)
        {
            double rad = Math.Sqrt(r[i] * r[i] + r[i + 1] * r[i + 1]);
            int k = (int)Math.Round(rad / 0.8) - 1;
            Assert.InRange(k, 0, 3);
            Assert.True(Math.Abs(rad - 0.8 * (k + 1)) < 0.4);
            ring[k]++;
        }
        Assert.All(ring, m => Assert.InRange(m, 5000 - 350, 5000 + 350));
    }
}
