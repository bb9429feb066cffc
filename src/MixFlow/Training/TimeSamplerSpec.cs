using System.Globalization;

namespace MixFlow.Training;

/// <summary>Distribution of training times t ∈ [0, 1].</summary>
public enum TimeSamplerKind
{
    /// <summary>t ~ U(0, 1).</summary>
    Uniform,
    /// <summary>t ~ Beta(a, b).</summary>
    Beta,
    /// <summary>t = sigmoid(u), u ~ N(mean, std²).</summary>
    LogitNormal,
}

/// <summary>A parsed <c>--time-sampler</c> value.</summary>
/// <param name="Kind">Distribution family.</param>
/// <param name="A">First parameter (Beta a, logit-normal mean); 0 for uniform.</param>
/// <param name="B">Second parameter (Beta b, logit-normal std); 0 for uniform.</param>
public sealed record TimeSamplerSpec(TimeSamplerKind Kind, double A = 0, double B = 0)
{
    /// <summary>The accepted spellings, for error messages.</summary>
    public const string Allowed = "uniform | beta:<a>,<b> (a,b > 0) | logit-normal:<mean>,<std> (std > 0)";

    /// <summary>U(0, 1).</summary>
    public static TimeSamplerSpec Uniform { get; } = new(TimeSamplerKind.Uniform);

    /// <summary>Beta(2, 1) (density 2t): MixFlow's time distribution.</summary>
    public static TimeSamplerSpec Beta21 { get; } = new(TimeSamplerKind.Beta, 2, 1);

    /// <summary>The default time distribution of an objective: Beta(2, 1) for MixFlow, uniform otherwise.</summary>
    public static TimeSamplerSpec DefaultFor(ObjectiveKind objective) => objective == ObjectiveKind.MixFlow ? Beta21 : Uniform;

    /// <summary>Parses <c>uniform</c>, <c>beta:a,b</c> or <c>logit-normal:mean,std</c>.</summary>
    /// <exception cref="ConfigException">Unknown family, wrong parameter count or out-of-range parameter.</exception>
    public static TimeSamplerSpec Parse(string text, string key = "time-sampler")
    {
        var s = (text ?? "").Trim().ToLowerInvariant();
        int colon = s.IndexOf(':');
        string head = colon < 0 ? s : s[..colon];
        string[] args = colon < 0 ? [] : s[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        double[] p = new double[args.Length];
        for (int i = 0; i < args.Length; i++)
            if (!double.TryParse(args[i], NumberStyles.Float, CultureInfo.InvariantCulture, out p[i]) || !double.IsFinite(p[i]))
                throw new ConfigException(key, $"{key}: '{args[i]}' in '{text}' is not a number (allowed: {Allowed})");
        switch (head)
        {
            case "uniform" when p.Length == 0:
                return Uniform;
            case "beta" when p.Length == 2:
                if (p[0] <= 0 || p[1] <= 0) throw new ConfigException(key, $"{key}: Beta parameters must be > 0 (got '{text}')");
                return new TimeSamplerSpec(TimeSamplerKind.Beta, p[0], p[1]);
            case "logit-normal" or "logitnormal" or "lognorm" when p.Length == 2:
                if (p[1] <= 0) throw new ConfigException(key, $"{key}: logit-normal std must be > 0 (got '{text}')");
                return new TimeSamplerSpec(TimeSamplerKind.LogitNormal, p[0], p[1]);
            default:
                throw new ConfigException(key, $"{key}: invalid time sampler '{text}' (allowed: {Allowed})");
        }
    }

    /// <summary>Canonical spelling (round-trips through <see cref="Parse"/>).</summary>
    public override string ToString() => Kind switch
    {
        TimeSamplerKind.Uniform => "uniform",
        TimeSamplerKind.Beta => FormattableString.Invariant($"beta:{A},{B}"),
        _ => FormattableString.Invariant($"logit-normal:{A},{B}"),
    };
}
