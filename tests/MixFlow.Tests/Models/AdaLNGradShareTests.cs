using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Tests.Models;

/// <summary>GatedResidual hands its incoming gradient on to x by sharing the buffer (Tensor.AccumulateGradFrom): the
/// shared buffer must take later accumulations correctly and never alias a gradient the user keeps.</summary>
public class AdaLNGradShareTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ChainedGatedResidualsMatchTheComposedExpression(bool retain)
    {
        var g = new Generator(31);
        var x0 = Tensor.RandN(g, 2, 4, 6).RequireGrad();
        var gate = Tensor.RandN(g, 2, 1, 6).RequireGrad();
        var h = Tensor.RandN(g, 2, 4, 6).RequireGrad();
        var r = Tensor.RandN(g, 2, 4, 6);

        Tensor? y2Kept = null;
        Tensor Fused()
        {
            var x = x0 * 2f;                                              // non-leaf input of the first residual
            var y1 = AdaLN.GatedResidual(x, gate, h);
            var y2 = AdaLN.GatedResidual(y1, gate, y1 * 0.5f);            // y1 also reached through the second branch
            if (retain) { y2.RetainGrad = true; y2Kept = y2; }
            return (AdaLN.GatedResidual(y2, gate, h) * r).Sum();
        }
        Tensor Composed()
        {
            var x = x0 * 2f;
            var y1 = x + gate * h;
            var y2 = y1 + gate * (y1 * 0.5f);
            return ((y2 + gate * h) * r).Sum();
        }

        Fused().Backward();
        var ga = new[] { x0.Grad!.ToArray(), gate.Grad!.ToArray(), h.Grad!.ToArray() };
        if (retain) Assert.Equal(r.ToArray(), y2Kept!.Grad!.ToArray());   // the retained gradient is untouched
        x0.Grad = null; gate.Grad = null; h.Grad = null;
        Composed().Backward();
        var gb = new[] { x0.Grad!.ToArray(), gate.Grad!.ToArray(), h.Grad!.ToArray() };
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < ga[k].Length; i++) Assert.Equal(gb[k][i], ga[k][i], 4);
    }
}
