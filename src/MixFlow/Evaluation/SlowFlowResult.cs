using System.Globalization;
using System.Text.Json.Serialization;

namespace MixFlow.Evaluation;

/// <summary>
/// One curve of the Slow-Flow diagnostic: for each state of the sampling trajectory (sampler time <see cref="T"/>),
/// the median and the 10 %/90 % quantiles over samples of the estimated time m_t of one estimator.
/// </summary>
/// <param name="Label">Checkpoint label (e.g. "base", "MixFlow").</param>
/// <param name="Estimator">The estimator.</param>
/// <param name="Samples">Number of trajectories.</param>
/// <param name="T">Sampler times t_0 … t_N.</param>
/// <param name="Median">Median of m_t per time.</param>
/// <param name="P10">10 % quantile of m_t per time.</param>
/// <param name="P90">90 % quantile of m_t per time.</param>
public sealed record SlowFlowResult(string Label, SlowFlowEstimator Estimator, int Samples, double[] T, double[] Median, double[] P10, double[] P90)
{
    /// <summary>Mean over the grid of t − median(m_t): positive when the sampler is "slow" (states look noisier than their time).</summary>
    [JsonIgnore]
    public double MeanLag
    {
        get
        {
            double s = 0; int c = 0;
            for (int i = 0; i < T.Length; i++) if (double.IsFinite(Median[i])) { s += T[i] - Median[i]; c++; }
            return c == 0 ? double.NaN : s / c;
        }
    }

    /// <summary>The record as indented JSON (<see cref="EvaluationJson"/>).</summary>
    public string ToJson() => EvaluationJson.Serialize(this);

    /// <summary>Reads a record written by <see cref="ToJson"/>.</summary>
    /// <exception cref="System.Text.Json.JsonException">Invalid JSON.</exception>
    public static SlowFlowResult FromJson(string json) => EvaluationJson.Deserialize<SlowFlowResult>(json);

    /// <summary>A plain-text table of t, median, p10, p90 and t − median; at most <paramref name="maxRows"/> evenly spaced rows (first and last included).</summary>
    /// <exception cref="ArgumentException">maxRows &lt; 2.</exception>
    public string ToTable(int maxRows = 21)
    {
        if (maxRows < 2) throw new ArgumentException($"SlowFlowResult.ToTable: maxRows must be >= 2 (got {maxRows})");
        var rows = new List<IReadOnlyList<string>>();
        foreach (int i in RowIndices(T.Length, maxRows))
            rows.Add([TextTable.Num(T[i]), TextTable.Num(Median[i]), TextTable.Num(P10[i]), TextTable.Num(P90[i]), TextTable.Num(T[i] - Median[i])]);
        string head = $"{Label} — {Estimator}, {Samples.ToString(CultureInfo.InvariantCulture)} samples, mean lag {TextTable.Num(MeanLag)}\n";
        return head + TextTable.Render(["t", "median m_t", "p10", "p90", "t - median"], rows);
    }

    internal static IEnumerable<int> RowIndices(int count, int maxRows)
    {
        if (count <= maxRows) { for (int i = 0; i < count; i++) yield return i; yield break; }
        int prev = -1;
        for (int r = 0; r < maxRows; r++)
        {
            int i = (int)Math.Round((double)r * (count - 1) / (maxRows - 1));
            if (i != prev) yield return i;
            prev = i;
        }
    }
}
