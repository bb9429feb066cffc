using System.Text.Json.Serialization;

namespace MixFlow.Evaluation;

/// <summary>The Slow-Flow diagnostic of one checkpoint: both estimators' curves.</summary>
/// <param name="LeastSquares">The least-squares estimator's curve.</param>
/// <param name="NoiseShare">The x0-share estimator's curve.</param>
public sealed record SlowFlowReport(SlowFlowResult LeastSquares, SlowFlowResult NoiseShare)
{
    /// <summary>Both curves (least squares first).</summary>
    [JsonIgnore]
    public IReadOnlyList<SlowFlowResult> Results => [LeastSquares, NoiseShare];

    /// <summary>The report as indented JSON (<see cref="EvaluationJson"/>).</summary>
    public string ToJson() => EvaluationJson.Serialize(this);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <exception cref="System.Text.Json.JsonException">Invalid JSON.</exception>
    public static SlowFlowReport FromJson(string json) => EvaluationJson.Deserialize<SlowFlowReport>(json);

    /// <summary>Both tables, one after the other.</summary>
    public string ToTable(int maxRows = 21) => LeastSquares.ToTable(maxRows) + "\n" + NoiseShare.ToTable(maxRows);
}
