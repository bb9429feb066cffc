namespace MixFlow.Training;

/// <summary>The training objective selected by <c>--objective</c>.</summary>
public enum ObjectiveKind
{
    /// <summary>Standard (conditional) flow matching, <c>fm</c>.</summary>
    FlowMatching,
    /// <summary>MixFlow post-training (mixes the model's own trajectory into the input with weight γ), <c>mixflow</c>.</summary>
    MixFlow,
    /// <summary>Input perturbation (noise added to the network input), <c>ip</c>.</summary>
    InputPerturbation,
}

/// <summary>CLI spellings of <see cref="ObjectiveKind"/>.</summary>
public static class ObjectiveKinds
{
    /// <summary>The accepted spellings, for error messages.</summary>
    public const string Allowed = "fm | mixflow | ip";

    /// <summary>Parses <c>fm</c>, <c>mixflow</c> or <c>ip</c> (case-insensitive).</summary>
    /// <exception cref="ConfigException">Any other value.</exception>
    public static ObjectiveKind Parse(string text, string key = "objective") => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "fm" or "flow-matching" or "flowmatching" => ObjectiveKind.FlowMatching,
        "mixflow" or "mix" => ObjectiveKind.MixFlow,
        "ip" or "input-perturbation" => ObjectiveKind.InputPerturbation,
        _ => throw new ConfigException(key, $"{key}: unknown objective '{text}' (allowed: {Allowed})"),
    };

    /// <summary>The short CLI name (<c>fm</c>, <c>mixflow</c>, <c>ip</c>).</summary>
    public static string ToCliName(this ObjectiveKind kind) => kind switch
    {
        ObjectiveKind.FlowMatching => "fm",
        ObjectiveKind.MixFlow => "mixflow",
        _ => "ip",
    };
}
