using System.Diagnostics;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Memory;
using MixFlow.Tensors.Optim;

namespace MixFlow.Bench;

/// <summary>Result of the MLP flow-matching training-step benchmark.</summary>
/// <param name="MedianMs">Median wall time of one full training step (noise draw, forward, backward, AdamW step).</param>
/// <param name="MinMs">Fastest step.</param>
/// <param name="AllocBytesPerStep">Bytes newly allocated by the buffer pool per steady-state step (not reused).</param>
/// <param name="Parameters">Number of model parameters.</param>
public sealed record MlpBenchResult(double MedianMs, double MinMs, double AllocBytesPerStep, long Parameters);

/// <summary>
/// The 2-D MLP flow-matching training step of <c>torch/flow_bench.py mlp</c>, on the engine: input
/// concat(x[2], 64-d sinusoidal t-embedding) → 256 → 256 → 256 → 2 with SiLU, batch 4096 from eight Gaussians,
/// x_t = (1 − t)·x0 + t·x1, loss = mean (v(x_t, t) − (x1 − x0))², AdamW(lr 1e-3). The data batch is drawn outside the
/// timed region (as the PyTorch script does); noise, times, forward, backward and the optimizer step are timed.
/// </summary>
public static class MlpBench
{
    /// <summary>Batch size of the benchmark.</summary>
    public const int Batch = 4096;

    /// <summary>Runs <paramref name="warmup"/> untimed and <paramref name="steps"/> timed steps.</summary>
    public static MlpBenchResult Run(int steps, int warmup, TextWriter log)
    {
        var gen = new Generator(0);
        var model = new FlowMlp(new FlowMlpOptions(), gen);
        var opt = new AdamW(model.NamedParameters().ToList(), new AdamWOptions { LearningRate = 1e-3 });
        var times = new List<double>();
        long allocBefore = 0;
        for (int i = 0; i < warmup + steps; i++)
        {
            using var scope = new TensorScope();
            var x1 = EightGaussians(gen, Batch);
            if (i == warmup) allocBefore = BufferPool.AllocatedBytes;
            var sw = Stopwatch.StartNew();
            var x0 = Tensor.RandN(gen, Batch, 2);
            var t = Tensor.Rand(gen, Batch);
            var tt = t.Reshape(Batch, 1);
            var xt = x0 * (1f - tt) + x1 * tt;                       // [B, 2]
            var loss = Tensor.MseLoss(model.Forward(xt, t, null), x1 - x0);
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
            sw.Stop();
            if (i >= warmup) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        double alloc = (double)(BufferPool.AllocatedBytes - allocBefore) / steps;
        times.Sort();
        var r = new MlpBenchResult(times[times.Count / 2], times[0], alloc, model.ParameterCount);
        log.WriteLine($"engine mlp: median {r.MedianMs:F2} ms/step (min {r.MinMs:F2}, n={steps}), {r.AllocBytesPerStep:F0} B newly allocated/step, {r.Parameters} params");
        return r;
    }

    /// <summary>Eight Gaussians on a circle of radius 2 with std 0.1 (the script's data).</summary>
    private static Tensor EightGaussians(Generator gen, int n)
    {
        var x = Tensor.Empty(n, 2);
        var s = x.AsSpan();
        for (int i = 0; i < n; i++)
        {
            double ang = gen.NextInt(0, 8) * (Math.PI / 4);
            s[2 * i] = (float)(2 * Math.Cos(ang) + 0.1 * gen.NextNormal());
            s[2 * i + 1] = (float)(2 * Math.Sin(ang) + 0.1 * gen.NextNormal());
        }
        return x;
    }
}
