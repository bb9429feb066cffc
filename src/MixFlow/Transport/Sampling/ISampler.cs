using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>Carries noise (t = t0) to data (t = 1) with a model.</summary>
public interface ISampler
{
    /// <summary>Samples: integrates from the initial states <paramref name="x0"/> to the end of the sampling interval.</summary>
    /// <param name="model">The network (its output is of the transport's prediction type).</param>
    /// <param name="x0">Initial noise [B, …] (not modified, not disposed).</param>
    /// <param name="labels">Class labels (length B) or null.</param>
    /// <param name="gen">Random generator for stochastic samplers (required by them, ignored by ODE samplers).</param>
    /// <param name="recordTrajectory">When true, every intermediate state is kept in <see cref="SampleResult.Trajectory"/>.</param>
    /// <exception cref="ArgumentException">x0 has no batch dimension or labels do not match it; a stochastic sampler got no generator.</exception>
    SampleResult Sample(IFlowModel model, Tensor x0, int[]? labels = null, Generator? gen = null, bool recordTrajectory = false);
}
