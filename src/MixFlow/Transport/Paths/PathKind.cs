namespace MixFlow.Transport;

/// <summary>The interpolation paths of the toolkit.</summary>
public enum PathKind
{
    /// <summary>Rectified flow / optimal-transport path: α = t, σ = 1 − t (<see cref="LinearPath"/>).</summary>
    Linear,
    /// <summary>Generalised variance-preserving trigonometric path: α = sin(πt/2), σ = cos(πt/2) (<see cref="GvpPath"/>).</summary>
    Gvp,
    /// <summary>Variance-preserving path of the VP-SDE (<see cref="VpPath"/>).</summary>
    Vp,
}
