using MixFlow.Tensors.Nn;
using MixFlow.Tensors.Optim;

namespace MixFlow.Tensors.Tests;

/// <summary>The engine example of README.md ("The engine in brief"), kept compiling and working.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void ReadmeTrainingStepRunsAndLowersTheLoss()
    {
        var gen = new Generator(0);
        var net = new Sequential(new Linear(2, 256, gen), new SiLU(), new Linear(256, 2, gen));
        var opt = new AdamW(net.NamedParameters().ToList(), new AdamWOptions { LearningRate = 1e-3 });
        float first = 0, last = 0;
        for (int step = 0; step < 30; step++)
        {
            using var scope = new TensorScope();
            var x = Tensor.RandN(gen, 4096, 2);
            var loss = Tensor.MseLoss(net.Forward(x), x);
            opt.ZeroGrad(); loss.Backward(); opt.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < 0.5f * first, $"loss {first} → {last}: the identity map should be learnt quickly");
    }
}
