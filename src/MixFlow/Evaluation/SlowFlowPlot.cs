using MixFlow.Imaging;

namespace MixFlow.Evaluation;

/// <summary>
/// The Slow-Flow figure (in the style of Figure 1 of the MixFlow paper): sampler time t on the x-axis, estimated time
/// m_t on the y-axis, the diagonal m = t in grey, and per result its median curve (legend entry), its 10–90 % band as a
/// light hatched fill between two thin light boundary lines, in one palette colour per result.
/// </summary>
public static class SlowFlowPlot
{
    /// <summary>Vertical hatch lines across the unit x range used to fill a band.</summary>
    public const int HatchLines = 160;

    /// <summary>Builds the plot of one or more results (e.g. before/after MixFlow, or both estimators).</summary>
    /// <param name="results">The curves (at least one).</param>
    /// <param name="options">Plot options (null = 640×480, title "Slow-Flow diagnostic", axes labelled, both ranges [0, 1]).</param>
    /// <exception cref="ArgumentException">No results, or a result whose arrays have different lengths.</exception>
    public static LinePlot Create(IReadOnlyList<SlowFlowResult> results, PlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) throw new ArgumentException("SlowFlowPlot.Create: at least one result is needed");
        foreach (var r in results)
            if (r.T.Length != r.Median.Length || r.T.Length != r.P10.Length || r.T.Length != r.P90.Length || r.T.Length == 0)
                throw new ArgumentException($"SlowFlowPlot.Create: result '{r.Label}' ({r.Estimator}) has arrays of different or zero length (T {r.T.Length}, median {r.Median.Length}, p10 {r.P10.Length}, p90 {r.P90.Length})");
        var plot = new LinePlot(options ?? new PlotOptions
        {
            Width = 640, Height = 480, Title = "Slow-Flow diagnostic", XLabel = "sampler time t", YLabel = "estimated time m_t",
            XRange = (0, 1), YRange = (0, 1),
        });
        bool oneEstimator = results.Select(r => r.Estimator).Distinct().Count() == 1;
        bool oneLabel = results.Select(r => r.Label).Distinct().Count() == 1;
        for (int k = 0; k < results.Count; k++)
        {
            var r = results[k];
            var light = Lighten(Rgb.Series(k), 0.72);
            double t0 = r.T[0], t1 = r.T[^1];
            for (int h = 0; h <= HatchLines; h++)
            {
                double x = (double)h / HatchLines;
                if (x < t0 || x > t1) continue;
                double lo = Interpolate(r.T, r.P10, x), hi = Interpolate(r.T, r.P90, x);
                if (!double.IsFinite(lo) || !double.IsFinite(hi)) continue;
                plot.Add("", [x, x], [lo, hi], light, 1.0);
            }
        }
        for (int k = 0; k < results.Count; k++)
        {
            var r = results[k];
            var boundary = Lighten(Rgb.Series(k), 0.4);
            plot.Add("", r.T, r.P10, boundary, 1.0);
            plot.Add("", r.T, r.P90, boundary, 1.0);
        }
        plot.Add("m = t", [0.0, 1.0], [0.0, 1.0], new Rgb(128, 128, 128), 1.0);
        for (int k = 0; k < results.Count; k++)
        {
            var r = results[k];
            string name = oneEstimator ? r.Label : oneLabel ? EstimatorName(r.Estimator) : $"{r.Label} ({EstimatorName(r.Estimator)})";
            plot.Add(name, r.T, r.Median, Rgb.Series(k), 2.0);
        }
        return plot;
    }

    /// <summary>Writes the plot as PNG and/or SVG (atomically).</summary>
    /// <param name="results">The curves.</param>
    /// <param name="pngPath">PNG destination, or null.</param>
    /// <param name="svgPath">SVG destination, or null.</param>
    /// <param name="options">Plot options (see <see cref="Create"/>).</param>
    /// <exception cref="ArgumentException">No results or no destination.</exception>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static void Save(IReadOnlyList<SlowFlowResult> results, string? pngPath, string? svgPath, PlotOptions? options = null)
    {
        if (pngPath is null && svgPath is null) throw new ArgumentException("SlowFlowPlot.Save: give a PNG path, an SVG path or both");
        var plot = Create(results, options);
        if (pngPath is not null) plot.SavePng(pngPath);
        if (svgPath is not null) plot.SaveSvg(svgPath);
    }

    /// <summary>Short legend name of an estimator.</summary>
    public static string EstimatorName(SlowFlowEstimator e) => e switch
    {
        SlowFlowEstimator.LeastSquares => "least squares",
        SlowFlowEstimator.NoiseShare => "x0 share",
        _ => e.ToString(),
    };

    private static Rgb Lighten(Rgb c, double f) => new(
        (byte)Math.Round(c.R + (255 - c.R) * f), (byte)Math.Round(c.G + (255 - c.G) * f), (byte)Math.Round(c.B + (255 - c.B) * f));

    private static double Interpolate(double[] xs, double[] ys, double x)
    {
        if (x <= xs[0]) return ys[0];
        for (int i = 1; i < xs.Length; i++)
            if (x <= xs[i])
            {
                double w = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
                return ys[i - 1] + w * (ys[i] - ys[i - 1]);
            }
        return ys[^1];
    }
}
