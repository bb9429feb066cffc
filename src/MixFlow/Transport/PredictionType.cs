namespace MixFlow.Transport;

/// <summary>What the network outputs (SiT's model types).</summary>
public enum PredictionType
{
    /// <summary>The velocity u_t (default; rectified-flow / SiT default).</summary>
    Velocity,
    /// <summary>The noise x0 (ε-prediction).</summary>
    Noise,
    /// <summary>The score ∇log p_t(x_t) = −ε/σ_t.</summary>
    Score,
}
