namespace MixFlow.Transport;

/// <summary>
/// Parsing of the transport's enums from strings for the CLI edge: case-insensitive, '-' and '_' ignored, a few
/// common aliases ("ode"/"euler", "sde"/"em", "dopri"/"dopri5", "eps"/"epsilon"/"noise", "rf"/"linear", …). Errors name
/// the option and list the allowed values.
/// </summary>
public static class TransportNames
{
    /// <summary>Parses a sampler name (euler, heun, midpoint, rk4, dopri5, euler-maruyama/sde, time-shift).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the allowed values.</exception>
    public static SamplerKind ParseSampler(string name) => Parse<SamplerKind>(name, "sampler",
        ("ode", SamplerKind.Euler), ("heun2", SamplerKind.Heun), ("dopri", SamplerKind.Dopri5), ("dormandprince", SamplerKind.Dopri5),
        ("sde", SamplerKind.EulerMaruyama), ("em", SamplerKind.EulerMaruyama), ("ts", SamplerKind.TimeShift), ("rungekutta4", SamplerKind.Rk4));

    /// <summary>Parses an interpolation path (linear, gvp, vp).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static PathKind ParsePath(string name) => Parse<PathKind>(name, "path", ("rf", PathKind.Linear), ("ot", PathKind.Linear), ("cosine", PathKind.Gvp));

    /// <summary>Parses a prediction type (velocity, noise, score).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static PredictionType ParsePrediction(string name) => Parse<PredictionType>(name, "prediction",
        ("v", PredictionType.Velocity), ("eps", PredictionType.Noise), ("epsilon", PredictionType.Noise));

    /// <summary>Parses a loss weighting (none, velocity, likelihood).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static LossWeighting ParseWeighting(string name) => Parse<LossWeighting>(name, "loss weighting");

    /// <summary>Parses an ODE method (euler, heun, midpoint, rk4).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static OdeMethod ParseOdeMethod(string name) => Parse<OdeMethod>(name, "ODE method", ("heun2", OdeMethod.Heun));

    /// <summary>Parses a diffusion form (constant, sbdm, sigma, linear).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static DiffusionForm ParseDiffusion(string name) => Parse<DiffusionForm>(name, "diffusion form");

    /// <summary>Parses a last step (mean, tweedie, euler, none).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static LastStep ParseLastStep(string name) => Parse<LastStep>(name, "last step");

    /// <summary>Parses a MixFlow target (slowed-velocity, original-velocity).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static MixFlowTarget ParseMixFlowTarget(string name) => Parse<MixFlowTarget>(name, "MixFlow target",
        ("slowed", MixFlowTarget.SlowedVelocity), ("original", MixFlowTarget.OriginalVelocity));

    /// <summary>Parses a divergence method (auto, exact, hutchinson).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static DivergenceMethod ParseDivergence(string name) => Parse<DivergenceMethod>(name, "divergence");

    /// <summary>The allowed names of an enum (its member names, lower case).</summary>
    public static string[] AllowedNames<TEnum>() where TEnum : struct, Enum =>
        Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()).ToArray();

    private static string Normalize(string s) => s.Trim().Replace("-", "").Replace("_", "").ToLowerInvariant();

    private static TEnum Parse<TEnum>(string name, string option, params (string Alias, TEnum Value)[] aliases) where TEnum : struct, Enum
    {
        if (name is not null)
        {
            var n = Normalize(name);
            foreach (var v in Enum.GetValues<TEnum>())
                if (Normalize(v.ToString()) == n) return v;
            foreach (var (a, v) in aliases)
                if (Normalize(a) == n) return v;
        }
        var allowed = string.Join(", ", AllowedNames<TEnum>());
        var extra = aliases.Length > 0 ? $" (aliases: {string.Join(", ", aliases.Select(a => a.Alias))})" : "";
        throw new ArgumentException($"Unknown {option} '{name}'; allowed values: {allowed}{extra}", nameof(name));
    }
}
