namespace MixFlow.Data;

/// <summary>The 2-D toy distributions of <see cref="ToyDataset"/> (all roughly within [−4, 4]²).</summary>
public enum Toy2D
{
    /// <summary>Uniform on the 8 "black" squares (i + j even) of a 4×4 board of side-2 squares covering [−4, 4]².</summary>
    Checkerboard,

    /// <summary>Equal mixture of 8 isotropic Gaussians (σ = 0.3) centred on the circle of radius 3 at angles k·π/4.</summary>
    EightGaussians,

    /// <summary>Two interleaved half circles of radius 2 (centred, σ = 0.2 noise), spanning about [−3, 3] × [−1.5, 1.5].</summary>
    TwoMoons,

    /// <summary>Two interleaved Archimedean spiral arms (1.5 turns, radius ≤ π, σ = 0.1 noise).</summary>
    Spirals,

    /// <summary>The 2-D Swiss roll: r = t, angle t, t ∈ [1.5π, 4.5π], scaled by 1/5, σ = 0.1 noise (radius ≤ 2.83).</summary>
    SwissRoll,

    /// <summary>Four concentric circles of radii 0.8, 1.6, 2.4, 3.2 (equal mass, σ = 0.08 radial noise).</summary>
    Rings,
}
