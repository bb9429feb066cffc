using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Transport;

/// <summary>
/// Stochastic sampling with the SDE dx = [v(x, t) + w(t)·s(x, t)] dt + sqrt(2·w(t)) dW (t = 1 data), whose marginals
/// equal those of the probability-flow ODE for any diffusion w ≥ 0 (<see cref="DiffusionForm"/>). Velocity and
/// score both come from the same network evaluation (converted by the transport), so each step costs one NFE.
/// Euler–Maruyama on N uniform (or shifted) steps over <see cref="FlowTransport.SdeSampleInterval"/>, then the
/// <see cref="LastStep"/>. Draws N·numel normals from the generator, in step order.
/// </summary>
public sealed class EulerMaruyamaSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Invalid options.</exception>
    /// <exception cref="ArgumentNullException">transport is null.</exception>
    public EulerMaruyamaSampler(FlowTransport transport, SdeSamplerOptions? options = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "EulerMaruyamaSampler: a transport is required");
        Options = options ?? new SdeSamplerOptions();
        Options.Validate();
        var iv = transport.SdeSampleInterval(Options.Diffusion, Options.LastStep == LastStep.None ? 0 : Options.LastStepSize);
        Grid = TimeGrid.Shifted(Options.Steps, Options.Shift, iv.T0, iv.T1);
    }

    /// <summary>The transport.</summary>
    public FlowTransport Transport { get; }

    /// <summary>The options.</summary>
    public SdeSamplerOptions Options { get; }

    /// <summary>The Euler–Maruyama grid (the last step, if any, starts at its end).</summary>
    public TimeGrid Grid { get; }

    /// <summary>The diffusion coefficient w(t) of <see cref="SdeSamplerOptions.Diffusion"/>.</summary>
    public double Diffusion(double t)
    {
        double n = Options.DiffusionNorm;
        return Options.Diffusion switch
        {
            DiffusionForm.Constant => n,
            DiffusionForm.Sbdm => n * Transport.DriftVariance(t),
            DiffusionForm.Sigma => n * Transport.Path.Sigma(1 - t),
            _ => n * (1 - t),
        };
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException">gen is null.</exception>
    public SampleResult Sample(IFlowModel model, Tensor x0, int[]? labels = null, Generator? gen = null, bool recordTrajectory = false)
    {
        if (gen is null) throw new ArgumentNullException(nameof(gen), "EulerMaruyamaSampler.Sample: a generator is required for the Brownian increments");
        var loop = new SamplingLoop(x0, labels, recordTrajectory, Grid[0], "EulerMaruyamaSampler.Sample");
        using var noGrad = GradMode.NoGrad();
        for (int i = 0; i < Grid.Steps; i++)
        {
            double t = Grid[i], dt = Grid[i + 1] - t;
            using var scope = new TensorScope();
            var x = loop.X;
            loop.Nfe++;
            var output = Transport.Evaluate(model, x, t, labels);
            double w = Diffusion(t);
            var drift = Transport.Convert(x, t, output, FlowQuantity.Velocity);
            if (w != 0) drift = drift + Transport.Convert(x, t, output, FlowQuantity.Score) * (float)w;
            var next = x + drift * (float)dt;
            if (w != 0) next = next + Tensor.RandN(gen, x.Shape) * (float)Math.Sqrt(2 * w * dt);
            loop.Advance(next, Grid[i + 1]);
        }
        if (Options.LastStep != LastStep.None)
        {
            double t = Grid[Grid.Steps], h = Options.LastStepSize;
            using var scope = new TensorScope();
            var x = loop.X;
            loop.Nfe++;
            var output = Transport.Evaluate(model, x, t, labels);
            Tensor next;
            switch (Options.LastStep)
            {
                case LastStep.Tweedie:
                    next = Transport.Convert(x, t, output, FlowQuantity.Data);
                    break;
                case LastStep.Euler:
                    next = x + Transport.Convert(x, t, output, FlowQuantity.Velocity) * (float)h;
                    break;
                default:
                    var drift = Transport.Convert(x, t, output, FlowQuantity.Velocity);
                    double w = Diffusion(t);
                    if (w != 0) drift = drift + Transport.Convert(x, t, output, FlowQuantity.Score) * (float)w;
                    next = x + drift * (float)h;
                    break;
            }
            loop.Advance(next, Math.Min(1, t + h));
        }
        return loop.Result();
    }
}
