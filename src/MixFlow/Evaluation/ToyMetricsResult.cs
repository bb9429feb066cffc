namespace MixFlow.Evaluation;

/// <summary>The metrics of 2-D samples against fresh samples of the true distribution.</summary>
/// <param name="Samples">Number of generated points evaluated.</param>
/// <param name="SlicedW2">Sliced Wasserstein-2 distance (lower is better).</param>
/// <param name="Mmd2">Unbiased RBF-MMD² (lower is better; may be slightly negative).</param>
/// <param name="TestNll">Mean negative log-likelihood (nats) of fresh true samples under the model's ODE, when a model was given; else null.</param>
public sealed record ToyMetricsResult(int Samples, double SlicedW2, double Mmd2, double? TestNll)
{
    /// <summary>The record as indented JSON (<see cref="EvaluationJson"/>).</summary>
    public string ToJson() => EvaluationJson.Serialize(this);

    /// <summary>Reads a record written by <see cref="ToJson"/>.</summary>
    /// <exception cref="System.Text.Json.JsonException">Invalid JSON.</exception>
    public static ToyMetricsResult FromJson(string json) => EvaluationJson.Deserialize<ToyMetricsResult>(json);

    /// <summary>A plain-text table (metric, value).</summary>
    public string ToTable() => TextTable.Render(["metric", "value"],
    [
        ["samples", Samples.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        ["sliced W2", TextTable.Num(SlicedW2)],
        ["MMD^2 (RBF)", TextTable.Num(Mmd2, "G6")],
        ["test NLL (nats)", TestNll is { } v ? TextTable.Num(v) : "-"],
    ]);
}
