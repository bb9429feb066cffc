namespace MixFlow.Evaluation;

/// <summary>How the Slow-Flow diagnostic maps a trajectory state x̂_t to an effective time m_t (see docs/slowflow.md).</summary>
public enum SlowFlowEstimator
{
    /// <summary>m_t = argmin_{s∈[0,1]} ‖x̂_t − (α_s·x̂1 + σ_s·x0)‖² (closed form on the linear path, 1-D search otherwise).</summary>
    LeastSquares,
    /// <summary>The x0 share: fit x̂_t ≈ a·x̂1 + c·x0 by least squares and solve σ_s = c for s.</summary>
    NoiseShare,
}
