using System.Globalization;
using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>One configuration key: its name (the command-line flag without dashes), help text and codec.</summary>
/// <param name="Name">Key as used in YAML files and as the flag <c>--name</c>.</param>
/// <param name="Help">One-line description with the default.</param>
/// <param name="Apply">Parses a raw value into a changed copy of the configuration; throws <see cref="ConfigException"/>.</param>
/// <param name="Format">Canonical text of the key's current value (round-trips through <paramref name="Apply"/>).</param>
public sealed record ConfigKey(string Name, string Help, Func<TrainConfig, string, TrainConfig> Apply, Func<TrainConfig, string?> Format);

/// <summary>
/// The single table of training configuration keys, shared by YAML files, command-line flags and checkpoint
/// <c>state.json</c>: each value is parsed and range-checked once here into the typed <see cref="TrainConfig"/>.
/// Keys are kebab-case (<c>batch-size</c>); snake_case spellings (<c>batch_size</c>) are accepted too.
/// </summary>
public static class TrainConfigKeys
{
    /// <summary>All keys in display order.</summary>
    public static IReadOnlyList<ConfigKey> All { get; } =
    [
        new("data", $"training data: {DataSpec.Allowed} (default fmnist)", (c, v) => c with { Data = DataSpec.Parse(v) }, c => c.Data.ToString()),
        new("model", "model preset (default: flow-mlp for 2-D data, a small SiT for images)",
            (c, v) => c with { Model = string.IsNullOrWhiteSpace(v) ? throw new ConfigException("model", "model: empty preset name") : v.Trim() }, c => c.Model),
        new("objective", $"objective: {ObjectiveKinds.Allowed} (default fm)", (c, v) => c with { Objective = ObjectiveKinds.Parse(v) }, c => c.Objective.ToCliName()),
        new("gamma", "MixFlow slowing range in [0, 1], 0 = flow matching (default 0.8)", (c, v) => c with { Gamma = Real("gamma", v, 0, 1) }, c => Inv(c.Gamma)),
        new("mixflow-target", "MixFlow target: slowed | original (default slowed)", (c, v) => c with { MixFlowTarget = Target(v) },
            c => c.MixFlowTarget == MixFlowTarget.SlowedVelocity ? "slowed" : "original"),
        new("perturbation", "input-perturbation strength >= 0 (default 0.1)", (c, v) => c with { Perturbation = Real("perturbation", v, 0, double.PositiveInfinity) }, c => Inv(c.Perturbation)),
        new("time-sampler", $"time distribution: auto | {TimeSamplerSpec.Allowed} (default auto: beta:2,1 for mixflow, uniform otherwise)",
            (c, v) => c with { TimeSampler = v.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : TimeSamplerSpec.Parse(v) }, c => c.TimeSampler?.ToString()),
        new("encoder", "representation encoder file (mixflow train-encoder); required by repa-*/rae-* models",
            (c, v) => c with { Encoder = string.IsNullOrWhiteSpace(v) ? throw new ConfigException("encoder", "encoder: empty path") : v.Trim() }, c => c.Encoder),
        new("decoder", "RAE pixel decoder file (mixflow train-decoder); required by rae-* models",
            (c, v) => c with { Decoder = string.IsNullOrWhiteSpace(v) ? throw new ConfigException("decoder", "decoder: empty path") : v.Trim() }, c => c.Decoder),
        new("repa-lambda", "REPA alignment weight >= 0 for repa-* models (default 0.5)", (c, v) => c with { RepaLambda = Real("repa-lambda", v, 0, 1000) }, c => Inv(c.RepaLambda)),
        new("repa-depth", "block k >= 1 whose tokens REPA aligns, or auto = depth/3 (default auto)",
            (c, v) => c with { RepaDepth = v.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : Int("repa-depth", v, 1, 4096) }, c => c.RepaDepth is int k ? Inv(k) : null),
        new("steps", "total optimizer steps >= 1 (default 2000)", (c, v) => c with { Steps = Int("steps", v, 1, int.MaxValue) }, c => Inv(c.Steps)),
        new("batch-size", "samples per step >= 1 (default 128)", (c, v) => c with { BatchSize = Int("batch-size", v, 1, 1 << 20) }, c => Inv(c.BatchSize)),
        new("lr", "peak learning rate > 0 (default 1e-3)", (c, v) => c with { Lr = RealOpenLow("lr", v, 0, 10) }, c => Inv(c.Lr)),
        new("weight-decay", "AdamW weight decay >= 0 (default 0)", (c, v) => c with { WeightDecay = Real("weight-decay", v, 0, 10) }, c => Inv(c.WeightDecay)),
        new("warmup", "linear warm-up steps >= 0 (default 0)", (c, v) => c with { Warmup = Int("warmup", v, 0, int.MaxValue) }, c => Inv(c.Warmup)),
        new("ema-decay", "EMA decay in [0, 1) (default 0.999)", (c, v) => c with { EmaDecay = RealHalfOpen("ema-decay", v, 0, 1) }, c => Inv(c.EmaDecay)),
        new("grad-clip", "global gradient-norm clip >= 0, 0 disables (default 1)", (c, v) => c with { GradClip = Real("grad-clip", v, 0, double.PositiveInfinity) }, c => Inv(c.GradClip)),
        new("seed", "random seed, an integer >= 0 (default 0)", (c, v) => c with { Seed = Seed(v) }, c => Inv(c.Seed)),
        new("out", "output directory (default runs/train)",
            (c, v) => c with { Out = string.IsNullOrWhiteSpace(v) ? throw new ConfigException("out", "out: empty directory name") : v.Trim() }, c => c.Out),
        new("log-every", "log every N steps, N >= 1 (default 50)", (c, v) => c with { LogEvery = Int("log-every", v, 1, int.MaxValue) }, c => Inv(c.LogEvery)),
        new("sample-every", "preview image every N steps, 0 disables (default 500)", (c, v) => c with { SampleEvery = Int("sample-every", v, 0, int.MaxValue) }, c => Inv(c.SampleEvery)),
        new("ckpt-every", "checkpoint every N steps, 0 = only at the end (default 500)", (c, v) => c with { CkptEvery = Int("ckpt-every", v, 0, int.MaxValue) }, c => Inv(c.CkptEvery)),
        new("keep", "checkpoints kept, >= 1 (default 3)", (c, v) => c with { Keep = Int("keep", v, 1, 1_000_000) }, c => Inv(c.Keep)),
        new("threads", "engine threads, 0 = all processors (default 0)", (c, v) => c with { Threads = Int("threads", v, 0, 4096) }, c => Inv(c.Threads)),
        new("max-nonfinite", "abort after this many skipped non-finite steps, >= 0 (default 20)", (c, v) => c with { MaxNonFinite = Int("max-nonfinite", v, 0, int.MaxValue) }, c => Inv(c.MaxNonFinite)),
    ];

    private static readonly Dictionary<string, ConfigKey> ByName = All.ToDictionary(k => k.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Comma-separated list of the known keys, for error messages.</summary>
    public static string KnownKeys => string.Join(", ", All.Select(k => k.Name));

    /// <summary>Normalizes a key (<c>batch_size</c> → <c>batch-size</c>, trims, lower-cases).</summary>
    public static string Normalize(string key) => key.Trim().Replace('_', '-').ToLowerInvariant();

    /// <summary>Looks a key up.</summary>
    /// <exception cref="ConfigException">Unknown key; the message lists the known keys.</exception>
    public static ConfigKey Get(string key)
    {
        var n = Normalize(key);
        return ByName.TryGetValue(n, out var k) ? k
            : throw new ConfigException(key, $"unknown config key '{key}' (known keys: {KnownKeys})");
    }

    /// <summary>Applies one raw value.</summary>
    /// <exception cref="ConfigException">Unknown key or invalid value.</exception>
    public static TrainConfig Apply(TrainConfig config, string key, string value) => Get(key).Apply(config, value ?? "");

    /// <summary>Applies raw values in order (later values override earlier ones).</summary>
    /// <exception cref="ConfigException">Unknown key or invalid value.</exception>
    public static TrainConfig Apply(TrainConfig config, IEnumerable<KeyValuePair<string, string>> values)
    {
        foreach (var (k, v) in values) config = Apply(config, k, v);
        return config;
    }

    /// <summary>The configuration as key → canonical text (keys with a null value, e.g. an automatic model, are omitted).</summary>
    public static Dictionary<string, string> ToDictionary(TrainConfig config)
    {
        var d = new Dictionary<string, string>();
        foreach (var k in All) if (k.Format(config) is { } v) d[k.Name] = v;
        return d;
    }

    /// <summary>Rebuilds a configuration from <see cref="ToDictionary"/> output (validating every value).</summary>
    /// <exception cref="ConfigException">Unknown key or invalid value.</exception>
    public static TrainConfig FromDictionary(IReadOnlyDictionary<string, string> values) => Apply(new TrainConfig(), values);

    private static string Inv(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Inv(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    private static double ParseReal(string key, string v, string range)
    {
        if (!double.TryParse(v.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x))
            throw new ConfigException(key, $"{key}: '{v}' is not a finite number (expected {range})");
        return x;
    }

    private static double Real(string key, string v, double lo, double hi)
    {
        string range = double.IsPositiveInfinity(hi) ? $">= {Inv(lo)}" : $"a number in [{Inv(lo)}, {Inv(hi)}]";
        double x = ParseReal(key, v, range);
        if (x < lo || x > hi) throw new ConfigException(key, $"{key}: {v} is out of range (expected {range})");
        return x;
    }

    private static double RealOpenLow(string key, string v, double lo, double hi)
    {
        string range = $"a number in ({Inv(lo)}, {Inv(hi)}]";
        double x = ParseReal(key, v, range);
        if (x <= lo || x > hi) throw new ConfigException(key, $"{key}: {v} is out of range (expected {range})");
        return x;
    }

    private static double RealHalfOpen(string key, string v, double lo, double hi)
    {
        string range = $"a number in [{Inv(lo)}, {Inv(hi)})";
        double x = ParseReal(key, v, range);
        if (x < lo || x >= hi) throw new ConfigException(key, $"{key}: {v} is out of range (expected {range})");
        return x;
    }

    private static int Int(string key, string v, int lo, int hi)
    {
        string range = hi == int.MaxValue ? $"an integer >= {lo}" : $"an integer in [{lo}, {hi}]";
        if (!long.TryParse(v.Trim().Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var x))
            throw new ConfigException(key, $"{key}: '{v}' is not an integer (expected {range})");
        if (x < lo || x > hi) throw new ConfigException(key, $"{key}: {v} is out of range (expected {range})");
        return (int)x;
    }

    private static MixFlowTarget Target(string v) => v.Trim().ToLowerInvariant() switch
    {
        "slowed" or "slowed-velocity" => MixFlowTarget.SlowedVelocity,
        "original" or "original-velocity" => MixFlowTarget.OriginalVelocity,
        _ => throw new ConfigException("mixflow-target", $"mixflow-target: unknown target '{v}' (allowed: slowed | original)"),
    };

    private static ulong Seed(string v)
    {
        if (!ulong.TryParse(v.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var x))
            throw new ConfigException("seed", $"seed: '{v}' is not an integer >= 0");
        return x;
    }
}
