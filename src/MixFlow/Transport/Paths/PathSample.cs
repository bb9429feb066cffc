using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>A point drawn on an interpolation path.</summary>
/// <param name="T">Per-sample times [B].</param>
/// <param name="Xt">x_t = α_t·x1 + σ_t·x0, [B, …].</param>
/// <param name="Ut">The conditional velocity u_t = α'_t·x1 + σ'_t·x0, [B, …].</param>
public sealed record PathSample(Tensor T, Tensor Xt, Tensor Ut);
