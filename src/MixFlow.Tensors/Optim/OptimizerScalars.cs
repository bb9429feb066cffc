using System.Globalization;

namespace MixFlow.Tensors.Optim;

/// <summary>
/// The non-tensor part of an optimizer's state: everything besides <see cref="Optimizer.StateTensors"/> that a
/// checkpoint must store to resume bit-exactly.
/// </summary>
/// <param name="Step">Number of <see cref="Optimizer.Step"/> calls so far.</param>
/// <param name="LearningRate">The current learning rate.</param>
/// <param name="ParameterSteps">Per parameter name, the number of updates it received (parameters without a gradient are skipped by a step, so this can be below <paramref name="Step"/>); used for bias correction.</param>
public sealed record OptimizerScalars(long Step, double LearningRate, IReadOnlyDictionary<string, long> ParameterSteps)
{
    private const string Prefix = "optim.";

    /// <summary>The scalars as string pairs (e.g. for the <c>__metadata__</c> of a safetensors checkpoint); doubles round-trip exactly.</summary>
    public Dictionary<string, string> ToMetadata()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Prefix + "step"] = Step.ToString(CultureInfo.InvariantCulture),
            [Prefix + "lr"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in ParameterSteps) d[Prefix + "param_step." + k] = v.ToString(CultureInfo.InvariantCulture);
        return d;
    }

    /// <summary>Parses the pairs written by <see cref="ToMetadata"/> (other keys are ignored).</summary>
    /// <exception cref="FormatException">A key is missing or a value does not parse; the message names the key.</exception>
    public static OptimizerScalars FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        string Get(string k) => metadata.TryGetValue(Prefix + k, out var v) ? v : throw new FormatException($"OptimizerScalars.FromMetadata: key '{Prefix + k}' is missing");
        long ParseLong(string k, string s) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : throw new FormatException($"OptimizerScalars.FromMetadata: '{k}' = '{s}' is not an integer");
        var step = ParseLong(Prefix + "step", Get("step"));
        var lrs = Get("lr");
        if (!double.TryParse(lrs, NumberStyles.Float, CultureInfo.InvariantCulture, out var lr))
            throw new FormatException($"OptimizerScalars.FromMetadata: '{Prefix}lr' = '{lrs}' is not a number");
        var ps = new Dictionary<string, long>(StringComparer.Ordinal);
        const string pp = Prefix + "param_step.";
        foreach (var (k, v) in metadata)
            if (k.StartsWith(pp, StringComparison.Ordinal)) ps[k[pp.Length..]] = ParseLong(k, v);
        return new OptimizerScalars(step, lr, ps);
    }
}
