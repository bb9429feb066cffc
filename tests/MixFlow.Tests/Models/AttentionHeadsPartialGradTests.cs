using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Tests.Models;

/// <summary>AttentionHeads.Split's backward when only some of q, k, v receive a gradient: the parts without one must
/// get zeros (the first part to arrive fills a fresh buffer and zeroes the others).</summary>
public class AttentionHeadsPartialGradTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UnusedPartsGetZeroGradient(bool leaf)
    {
        var g = new Generator(41);
        int b = 2, t = 3, h = 2, hd = 2, d = h * hd;
        var qkv = Tensor.RandN(g, b, t, 3 * d).RequireGrad();
        var r = Tensor.RandN(g, b, h, t, hd);
        var heads = AttentionHeads.Split(leaf ? qkv : qkv * 1f, h);
        (heads.K * r).Sum().Backward();
        var grad = qkv.Grad!.ToArray(); var rv = r.ToArray();
        for (int bi = 0; bi < b; bi++)
            for (int ti = 0; ti < t; ti++)
                for (int f = 0; f < 3 * d; f++)
                {
                    int part = f / d, hh = f % d / hd, j = f % hd;
                    float expect = part == 1 ? rv[((bi * h + hh) * t + ti) * hd + j] : 0f;
                    Assert.Equal(expect, grad[(bi * t + ti) * 3 * d + f]);
                }
    }
}
