using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Transport;

/// <summary>
/// Deterministic sampling of the probability-flow ODE dx/dt = v(x, t) with a fixed-step integrator
/// (<see cref="OdeMethod"/>) on a uniform or shifted <see cref="TimeGrid"/> over the transport's ODE sampling interval.
/// Runs under no-grad; each step lives in its own <see cref="TensorScope"/>.
/// </summary>
public sealed class FixedStepOdeSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Invalid options.</exception>
    /// <exception cref="ArgumentNullException">transport is null.</exception>
    public FixedStepOdeSampler(FlowTransport transport, OdeSamplerOptions? options = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "FixedStepOdeSampler: a transport is required");
        Options = options ?? new OdeSamplerOptions();
        Options.Validate();
        var iv = transport.OdeSampleInterval;
        Grid = TimeGrid.Shifted(Options.Steps, Options.Shift, iv.T0, iv.T1);
    }

    /// <summary>Creates a sampler on an explicit grid (its times replace the transport's interval).</summary>
    /// <exception cref="ArgumentNullException">transport or grid is null.</exception>
    public FixedStepOdeSampler(FlowTransport transport, OdeMethod method, TimeGrid grid)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "FixedStepOdeSampler: a transport is required");
        Grid = grid ?? throw new ArgumentNullException(nameof(grid), "FixedStepOdeSampler: a time grid is required");
        Options = new OdeSamplerOptions(method, grid.Steps);
        Options.Validate();
    }

    /// <summary>The transport.</summary>
    public FlowTransport Transport { get; }

    /// <summary>The options.</summary>
    public OdeSamplerOptions Options { get; }

    /// <summary>The time grid.</summary>
    public TimeGrid Grid { get; }

    /// <inheritdoc/>
    public SampleResult Sample(IFlowModel model, Tensor x0, int[]? labels = null, Generator? gen = null, bool recordTrajectory = false)
    {
        var loop = new SamplingLoop(x0, labels, recordTrajectory, Grid[0], "FixedStepOdeSampler.Sample");
        using var noGrad = GradMode.NoGrad();
        Tensor V(Tensor x, double t) { loop.Nfe++; return Transport.Velocity(model, x, t, labels); }
        for (int i = 0; i < Grid.Steps; i++)
        {
            double t = Grid[i], tn = Grid[i + 1];
            float h = (float)(tn - t);
            using var scope = new TensorScope();
            var x = loop.X;
            Tensor next;
            switch (Options.Method)
            {
                case OdeMethod.Euler:
                    next = x + V(x, t) * h;
                    break;
                case OdeMethod.Heun:
                {
                    var k1 = V(x, t);
                    var k2 = V(x + k1 * h, tn);
                    next = x + (k1 + k2) * (0.5f * h);
                    break;
                }
                case OdeMethod.Midpoint:
                {
                    var k1 = V(x, t);
                    next = x + V(x + k1 * (0.5f * h), t + 0.5 * (tn - t)) * h;
                    break;
                }
                default:
                {
                    double tm = t + 0.5 * (tn - t);
                    var k1 = V(x, t);
                    var k2 = V(x + k1 * (0.5f * h), tm);
                    var k3 = V(x + k2 * (0.5f * h), tm);
                    var k4 = V(x + k3 * h, tn);
                    next = x + (k1 + (k2 + k3) * 2f + k4) * (h / 6f);
                    break;
                }
            }
            loop.Advance(next, tn);
        }
        return loop.Result();
    }
}
