namespace MixFlow.Transport;

/// <summary>Options of <see cref="RepaObjective"/>.</summary>
/// <param name="Lambda">Weight λ ≥ 0 of the alignment loss (REPA: 0.5). Default 0.5.</param>
public sealed record RepaOptions(double Lambda = 0.5)
{
    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative or not finite.</exception>
    public void Validate()
    {
        if (!(Lambda >= 0) || double.IsInfinity(Lambda))
            throw new ArgumentOutOfRangeException(nameof(Lambda), $"RepaOptions.Lambda must be a finite value >= 0, got {Lambda}");
    }
}
