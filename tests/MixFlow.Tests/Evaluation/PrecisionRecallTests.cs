using MixFlow.Evaluation;
using MixFlow.Tensors;

namespace MixFlow.Tests.Evaluation;

public class PrecisionRecallTests
{
    private static float[] Cloud(ulong seed, int n, int d, float shift)
    {
        var g = new Generator(seed);
        var x = new float[n * d];
        g.FillNormal(x);
        for (int i = 0; i < x.Length; i++) x[i] += shift;
        return x;
    }

    [Fact]
    public void IdenticalSetsHavePrecisionAndRecallOne()
    {
        var x = Cloud(1, 300, 16, 0);
        var r = PrecisionRecall.Compute(x, (float[])x.Clone(), 16, k: 3, blockRows: 64);
        Assert.Equal(1.0, r.Precision);
        Assert.Equal(1.0, r.Recall);
    }

    [Fact]
    public void FarApartSetsHaveZero()
    {
        var a = Cloud(2, 200, 8, 0);
        var b = Cloud(3, 250, 8, 100);
        var r = PrecisionRecall.Compute(a, b, 8, k: 3, blockRows: 50);
        Assert.Equal(0.0, r.Precision);
        Assert.Equal(0.0, r.Recall);
    }

    [Fact]
    public void CollapsedGeneratorHasHighPrecisionLowRecall()
    {
        var real = Cloud(4, 400, 4, 0);
        var fake = Cloud(5, 400, 4, 0);
        for (int i = 0; i < fake.Length; i++) fake[i] *= 0.05f;   // all generated points near the centre of the real cloud
        var r = PrecisionRecall.Compute(real, fake, 4);
        Assert.True(r.Precision > 0.95, $"precision {r.Precision}");
        Assert.True(r.Recall < 0.3, $"recall {r.Recall}");
    }

    [Fact]
    public void KnnRadiiMatchBruteForceAndBlockSizeDoesNotMatter()
    {
        int n = 97, d = 5, k = 3;
        var x = Cloud(6, n, d, 0);
        var r1 = PrecisionRecall.KnnRadii(x, n, d, k, blockRows: 7);
        var r2 = PrecisionRecall.KnnRadii(x, n, d, k, blockRows: 1000);
        for (int i = 0; i < n; i++)
        {
            var dist = new List<double>();
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double s = 0;
                for (int c = 0; c < d; c++) { double e = x[i * d + c] - x[j * d + c]; s += e * e; }
                dist.Add(Math.Sqrt(s));
            }
            dist.Sort();
            Assert.Equal(dist[k - 1], r1[i], 1e-4);
            Assert.Equal(r1[i], r2[i]);
        }
        var a = PrecisionRecall.Compute(x, Cloud(7, 80, d, 0.5f), d, k, blockRows: 9);
        var b = PrecisionRecall.Compute(x, Cloud(7, 80, d, 0.5f), d, k, blockRows: 512);
        Assert.Equal(a, b);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var x = Cloud(8, 10, 2, 0);
        Assert.Throws<ArgumentException>(() => PrecisionRecall.Compute(x, new float[7], 2));
        Assert.Throws<ArgumentException>(() => PrecisionRecall.Compute(x, x, 2, k: 10));
        Assert.Throws<ArgumentException>(() => PrecisionRecall.Compute(x, x, 2, blockRows: 0));
        Assert.Throws<ArgumentException>(() => PrecisionRecall.Compute(x, x, 2, realRadii: new float[3]));
    }
}
