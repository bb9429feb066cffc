using MixFlow.Evaluation;
using MixFlow.Tensors;

namespace MixFlow.Tests.Evaluation;

public class FeatureNetworkAugmentationTests
{
    private static Tensor Batch(int n, int c, int h, int w)
    {
        var v = new float[n * c * h * w];
        for (int i = 0; i < v.Length; i++) v[i] = (i % 97) / 97f;   // distinct, all > −1, so moved pixels are recognisable
        return Tensor.FromArray(v, [n, c, h, w]);
    }

    [Fact]
    public void EveryImageIsAnIntegerTranslationWithBackgroundFill()
    {
        const int n = 40, c = 2, h = 7, w = 9, k = 2;
        var x = Batch(n, c, h, w);
        var before = x.ToArray();
        FeatureNetworkAugmentation.RandomShift(x, k, seed: 5, step: 3);
        var after = x.ToArray();
        var seen = new HashSet<(int, int)>();
        for (int i = 0; i < n; i++)
        {
            // find the offset that explains the image (the same for both channels), by brute force over the allowed range
            (int, int)? found = null;
            for (int dy = -k; dy <= k && found is null; dy++)
                for (int dx = -k; dx <= k && found is null; dx++)
                {
                    bool ok = true;
                    for (int ch = 0; ch < c && ok; ch++)
                        for (int y = 0; y < h && ok; y++)
                            for (int xx = 0; xx < w && ok; xx++)
                            {
                                int sy = y - dy, sx = xx - dx;
                                float expect = sy >= 0 && sy < h && sx >= 0 && sx < w ? before[((i * c + ch) * h + sy) * w + sx] : -1f;
                                ok = after[((i * c + ch) * h + y) * w + xx] == expect;
                            }
                    if (ok) found = (dy, dx);
                }
            Assert.NotNull(found);
            seen.Add(found!.Value);
        }
        Assert.True(seen.Count >= 8, $"only {seen.Count} distinct offsets among {n} images");
    }

    [Fact]
    public void OffsetsAreDeterministicAndDependOnStep()
    {
        var a = Batch(16, 1, 8, 8); var b = Batch(16, 1, 8, 8); var c = Batch(16, 1, 8, 8);
        FeatureNetworkAugmentation.RandomShift(a, 2, 11, 4);
        FeatureNetworkAugmentation.RandomShift(b, 2, 11, 4);
        FeatureNetworkAugmentation.RandomShift(c, 2, 11, 5);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
        var z = Batch(3, 1, 8, 8); var z0 = z.ToArray();
        FeatureNetworkAugmentation.RandomShift(z, 0, 11, 4);
        Assert.Equal(z0, z.ToArray());
    }

    [Fact]
    public void BadInputIsRejectedWithTheOpName()
    {
        var e = Assert.Throws<ArgumentException>(() => FeatureNetworkAugmentation.RandomShift(Tensor.Zeros([2, 8, 8]), 1, 0, 0));
        Assert.Contains("RandomShift", e.Message);
        Assert.Throws<ArgumentException>(() => FeatureNetworkAugmentation.RandomShift(Tensor.Zeros([2, 1, 4, 4]), 4, 0, 0));
        Assert.Throws<ArgumentException>(() => FeatureNetworkAugmentation.RandomShift(Tensor.Zeros([2, 1, 4, 4]), -1, 0, 0));
        Assert.Throws<ArgumentException>(() => FeatureNetworkAugmentation.RandomShift(Tensor.Zeros([1, 2, 4, 4]).Transpose(2, 3), 1, 0, 0));
        Assert.Throws<ArgumentException>(() => new FeatureNetworkRecipe { MaxShift = 9 }.Validate());
    }
}
