using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>Pieces shared by the objectives, so that equivalent objectives compute bit-identical losses.</summary>
internal static class ObjectiveMath
{
    internal static void CheckBatch(Tensor x1, int[]? labels, string op)
    {
        if (x1.Rank < 1 || x1.Size(0) == 0) throw new ArgumentException($"{op}: the data batch must have shape [B, …] with B > 0, got {TensorShape.Format(x1.Shape)}");
        if (labels is not null && labels.Length != x1.Size(0)) throw new ArgumentException($"{op}: {labels.Length} labels given for a batch of {x1.Size(0)}");
    }

    /// <summary>Draws B times from the sampler and maps them affinely into the training interval, rounded to float.</summary>
    internal static float[] DrawTimes(ITimeSampler sampler, FlowTransport transport, Generator gen, int batch)
    {
        var iv = transport.TrainInterval;
        var t = new float[batch];
        for (int i = 0; i < batch; i++) t[i] = (float)iv.Map(sampler.Next(gen));
        return t;
    }

    internal static double Mean(float[] v) { double s = 0; foreach (var x in v) s += x; return s / v.Length; }

    /// <summary>
    /// The prediction loss of network output <paramref name="f"/> at a state of times <paramref name="stateTimes"/>:
    /// velocity prediction ‖f − u‖²; noise prediction w·‖f − x0‖²; score prediction w·‖σ·f + x0‖², with the
    /// <see cref="LossWeighting"/> w. Per-sample means over the trailing dimensions, then the batch mean.
    /// </summary>
    internal static (Tensor Loss, Tensor PerSample) PredictionLoss(FlowTransport transport, Tensor f, Tensor targetVelocity, Tensor x0, float[] stateTimes)
    {
        if (!TensorShape.Equal(f.Shape, x0.Shape))
            throw new InvalidOperationException($"Objective: the model returned {TensorShape.Format(f.Shape)} for inputs {TensorShape.Format(x0.Shape)}; a prediction must have the shape of the state");
        int b = stateTimes.Length;
        var bshape = InterpolationPath.BroadcastShape(b, x0.Rank);
        Tensor d;
        switch (transport.Prediction)
        {
            case PredictionType.Velocity: d = f - targetVelocity; break;
            case PredictionType.Noise: d = f - x0; break;
            default:
                var sig = new float[b];
                for (int i = 0; i < b; i++) sig[i] = (float)transport.Path.Sigma(stateTimes[i]);
                d = Tensor.FromArray(sig, bshape) * f + x0;
                break;
        }
        var sq = d.Square();
        Tensor perSample = x0.Rank == 1 ? sq : sq.Mean(Enumerable.Range(1, x0.Rank - 1).ToArray());
        if (transport.Prediction != PredictionType.Velocity && transport.Options.Weighting != LossWeighting.None)
        {
            var w = new float[b];
            for (int i = 0; i < b; i++)
            {
                double t = stateTimes[i], dv = transport.DriftVariance(t), s = transport.Path.Sigma(t);
                w[i] = (float)(transport.Options.Weighting == LossWeighting.Velocity ? dv / s * (dv / s) : dv / (s * s));
            }
            perSample = perSample * Tensor.FromArray(w, b);
        }
        return (perSample.Mean(), perSample);
    }
}
