using System.Diagnostics;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Tensors.Memory;
using MixFlow.Tensors.Optim;

namespace MixFlow.Bench;

/// <summary>Result of <see cref="DitBench.Run"/>.</summary>
/// <param name="MedianMs">Median wall time of one training step in milliseconds.</param>
/// <param name="AllocBytesPerStep">New buffer-pool bytes allocated per steady-state training step (average).</param>
/// <param name="SampleImagesPerSecond">Images per second of 50-step Euler sampling at batch 256 (no grad).</param>
/// <param name="TrainPeakRssMb">Peak RSS of the process (VmHWM) after the training steps, before sampling, in MB.</param>
/// <param name="SamplePeakRssMb">Peak RSS after the sampling measurement (batch 256) as well, in MB.</param>
public sealed record DitBenchResult(double MedianMs, double AllocBytesPerStep, double SampleImagesPerSecond, double TrainPeakRssMb, double SamplePeakRssMb);

/// <summary>
/// The DiT training-step benchmark, the same as the reference <c>run_torch_reference.sh dit</c> (and the bench's copy <c>torch/flow_bench.py dit</c>): model <c>SiT-T/2-28</c> (28×28×1,
/// patch 2, 196 tokens, width 256, 6 adaLN-Zero blocks, 4 heads, MLP ×4, unconditional), batch 64 of uniform data in
/// [−1, 1], AdamW(lr 1e-4, weight decay 0); a step draws noise x0 and t ~ U[0, 1), forms x_t = (1 − t)·x0 + t·x1 and
/// takes loss = mean (v(x_t, t) − (x1 − x0))², backward and the optimizer step. Two warm-up steps.
/// </summary>
public static class DitBench
{
    /// <summary>Runs the benchmark.</summary>
    /// <param name="steps">Timed training steps (≥ 1).</param>
    /// <param name="log">Receives human-readable progress lines.</param>
    /// <param name="sampleBatch">Batch of the sampling measurement (default 256).</param>
    /// <param name="sampleSteps">Euler steps of the sampling measurement (default 50; 0 skips it and reports 0).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> below 1 or a sampling size negative.</exception>
    public static DitBenchResult Run(int steps, TextWriter log, int sampleBatch = 256, int sampleSteps = 50)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"DitBench: steps must be >= 1 (got {steps})");
        if (sampleBatch < 1 || sampleSteps < 0) throw new ArgumentOutOfRangeException(nameof(sampleBatch), $"DitBench: sampleBatch must be >= 1 and sampleSteps >= 0 (got {sampleBatch}, {sampleSteps})");
        const int batch = 64;
        var gen = new Generator(0);
        var model = SiTRegistry.Create("SiT-T/2-28", gen);
        var opt = new AdamW(model.NamedParameters().ToList(), new AdamWOptions(LearningRate: 1e-4, WeightDecay: 0.0));
        log.WriteLine($"dit bench: SiT-T/2-28, {model.ParameterCount:N0} parameters, batch {batch}, {Engine.Threads} threads");

        Tensor NewBatch()
        {
            var x1 = Tensor.Rand(gen, batch, 1, 28, 28);
            var s = x1.AsSpan();
            for (int i = 0; i < s.Length; i++) s[i] = 2f * s[i] - 1f;
            return x1;
        }

        float Step(Tensor x1)
        {
            using var scope = new TensorScope();
            var x0 = Tensor.RandN(gen, batch, 1, 28, 28);                       // [B, 1, 28, 28]
            var t = Tensor.Rand(gen, batch);                                    // [B]
            var tt = t.Reshape(batch, 1, 1, 1);                                 // [B, 1, 1, 1]
            var xt = x0 * (1f - tt) + x1 * tt;                                  // [B, 1, 28, 28]
            var loss = Tensor.MseLoss(model.Forward(xt, t, null), x1 - x0);     // []
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
            return loss.Item();
        }

        for (int i = 0; i < 2; i++)
        {
            using var s = new TensorScope();
            Step(NewBatch());
        }
        var times = new double[steps];
        long allocStart = BufferPool.AllocatedBytes;
        for (int i = 0; i < steps; i++)
        {
            using var s = new TensorScope();
            var x1 = NewBatch();
            var sw = Stopwatch.StartNew();
            float loss = Step(x1);
            times[i] = sw.Elapsed.TotalMilliseconds;
            log.WriteLine($"  step {i + 1}/{steps}: {times[i]:F1} ms, loss {loss:F4}");
        }
        double allocPerStep = (BufferPool.AllocatedBytes - allocStart) / (double)steps;
        Array.Sort(times);
        double median = times[steps / 2];
        log.WriteLine($"dit train: median {median:F1} ms/step (min {times[0]:F1}), {allocPerStep / 1e6:F2} MB new pool memory per step");

        double trainRss = ProcessStats.PeakRssMb();
        double imagesPerSecond = 0;
        if (sampleSteps > 0)
        {
            model.Eval();
            var sw = Stopwatch.StartNew();
            using (GradMode.NoGrad())
            {
                var x = Tensor.RandN(gen, sampleBatch, 1, 28, 28).MoveToOuterScope();
                float dt = 1f / sampleSteps;
                for (int i = 0; i < sampleSteps; i++)
                {
                    using var scope = new TensorScope();
                    var t = Tensor.Full(i * dt, sampleBatch);
                    var next = (x + model.Forward(x, t, null) * dt).MoveToOuterScope();
                    x.Dispose();
                    x = next;
                }
                x.Dispose();
            }
            imagesPerSecond = sampleBatch / sw.Elapsed.TotalSeconds;
            log.WriteLine($"dit sample: {sampleBatch} images x {sampleSteps} Euler steps in {sw.Elapsed.TotalSeconds:F1} s = {imagesPerSecond:F1} images/s");
            model.Train();
        }
        return new DitBenchResult(median, allocPerStep, imagesPerSecond, trainRss, ProcessStats.PeakRssMb());
    }
}
