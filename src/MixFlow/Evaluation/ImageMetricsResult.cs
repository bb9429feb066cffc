namespace MixFlow.Evaluation;

/// <summary>The image metrics of a set of generated samples against the real test images.</summary>
/// <param name="Samples">Number of generated images evaluated.</param>
/// <param name="Fd">Fréchet distance in the classifier's feature space (lower is better).</param>
/// <param name="Precision">k-NN precision: fraction of samples on the real manifold (higher is better).</param>
/// <param name="Recall">k-NN recall: fraction of real images on the generated manifold (higher is better).</param>
/// <param name="ClassAccuracy">Class-consistency accuracy for class-conditional samples, else null.</param>
/// <param name="InceptionScore">Inception-Score analogue from the classifier's logits (1 ≤ IS ≤ 10).</param>
public sealed record ImageMetricsResult(int Samples, double Fd, double Precision, double Recall, double? ClassAccuracy, double InceptionScore)
{
    /// <summary>The record as indented JSON (<see cref="EvaluationJson"/>).</summary>
    public string ToJson() => EvaluationJson.Serialize(this);

    /// <summary>Reads a record written by <see cref="ToJson"/>.</summary>
    /// <exception cref="System.Text.Json.JsonException">Invalid JSON.</exception>
    public static ImageMetricsResult FromJson(string json) => EvaluationJson.Deserialize<ImageMetricsResult>(json);

    /// <summary>A plain-text table (metric, value).</summary>
    public string ToTable() => TextTable.Render(["metric", "value"],
    [
        ["samples", Samples.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        ["FD (features)", TextTable.Num(Fd)],
        ["precision (k-NN)", TextTable.Num(Precision)],
        ["recall (k-NN)", TextTable.Num(Recall)],
        ["class accuracy", ClassAccuracy is { } a ? TextTable.Num(a) : "-"],
        ["inception score", TextTable.Num(InceptionScore)],
    ]);
}
