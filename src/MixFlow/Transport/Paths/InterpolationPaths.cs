namespace MixFlow.Transport;

/// <summary>Factory of the paths by <see cref="PathKind"/>.</summary>
public static class InterpolationPaths
{
    /// <summary>Creates the path of the given kind with its default parameters (VP: β_min 0.1, β_max 20).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unknown kind.</exception>
    public static IInterpolationPath Create(PathKind kind) => kind switch
    {
        PathKind.Linear => new LinearPath(),
        PathKind.Gvp => new GvpPath(),
        PathKind.Vp => new VpPath(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"InterpolationPaths.Create: unknown path kind {kind}; allowed: {string.Join(", ", Enum.GetNames<PathKind>())}"),
    };
}
