namespace MixFlow.Transport;

/// <summary>
/// The quantities a network can predict at a state x_t = α·x1 + σ·x0; each is a linear combination of the
/// (posterior-mean) endpoints x̂1, x̂0, which is what makes them interconvertible (<see cref="PredictionConversions"/>).
/// </summary>
public enum FlowQuantity
{
    /// <summary>Velocity v = α'·x̂1 + σ'·x̂0.</summary>
    Velocity,
    /// <summary>Noise ε = x̂0.</summary>
    Noise,
    /// <summary>Score s = ∇log p_t(x) = −x̂0/σ.</summary>
    Score,
    /// <summary>Data (x1) prediction x̂1.</summary>
    Data,
}
