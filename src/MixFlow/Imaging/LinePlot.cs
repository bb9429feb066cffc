namespace MixFlow.Imaging;

/// <summary>
/// Curves (e.g. loss against step) of several named series on shared axes, with an optional log-y axis; renders to
/// PNG and SVG (see <see cref="Plot"/>). Non-finite points (and non-positive y on a log axis) break the curve.
/// </summary>
/// <example><code>
/// var p = new LinePlot(new PlotOptions { Title = "loss", XLabel = "step", LogY = true });
/// p.Add("train", steps, trainLoss);
/// p.Add("eval", evalSteps, evalLoss);
/// p.SavePng("loss.png"); p.SaveSvg("loss.svg");
/// </code></example>
public sealed class LinePlot : Plot
{
    private readonly List<(string Name, double[] X, double[] Y, Rgb Color, double Width)> _series = new();

    /// <summary>An empty plot.</summary>
    /// <exception cref="ArgumentException">Invalid options (see <see cref="PlotOptions"/>).</exception>
    public LinePlot(PlotOptions? options = null) : base(options) { }

    /// <summary>Number of series added.</summary>
    public int SeriesCount => _series.Count;

    /// <summary>Adds a series of points (x[i], y[i]) (copied).</summary>
    /// <param name="name">Legend name (empty for none).</param>
    /// <param name="x">X values.</param>
    /// <param name="y">Y values, as many as x.</param>
    /// <param name="color">Colour (default: the next palette colour).</param>
    /// <param name="width">Line width in pixels (default 1.5).</param>
    /// <exception cref="ArgumentException">x and y have different lengths, or a non-positive width.</exception>
    public LinePlot Add(string name, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Rgb? color = null, double width = 1.5)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (x.Length != y.Length) throw new ArgumentException($"LinePlot.Add('{name}'): {x.Length} x values but {y.Length} y values");
        if (!(width > 0)) throw new ArgumentException($"LinePlot.Add('{name}'): width must be positive, got {width}");
        _series.Add((name, x.ToArray(), y.ToArray(), color ?? Rgb.Series(_series.Count), width));
        return this;
    }

    /// <summary>Adds a series with x = 0, 1, 2, ….</summary>
    /// <exception cref="ArgumentException">A non-positive width.</exception>
    public LinePlot Add(string name, ReadOnlySpan<double> y, Rgb? color = null, double width = 1.5)
    {
        var x = new double[y.Length];
        for (int i = 0; i < x.Length; i++) x[i] = i;
        return Add(name, x, y, color, width);
    }

    private bool Usable(double x, double y) => double.IsFinite(x) && double.IsFinite(y) && (!Options.LogY || y > 0);

    private protected override bool DataBounds(out double xmin, out double xmax, out double ymin, out double ymax)
    {
        xmin = ymin = double.PositiveInfinity; xmax = ymax = double.NegativeInfinity;
        foreach (var s in _series)
            for (int i = 0; i < s.X.Length; i++)
            {
                if (!Usable(s.X[i], s.Y[i])) continue;
                xmin = Math.Min(xmin, s.X[i]); xmax = Math.Max(xmax, s.X[i]);
                ymin = Math.Min(ymin, s.Y[i]); ymax = Math.Max(ymax, s.Y[i]);
            }
        return xmin <= xmax;
    }

    private protected override IEnumerable<LegendEntry> LegendEntries() => _series.Select(s => new LegendEntry(s.Name, s.Color, false));

    private protected override void DrawContent(IPlotSurface surface, Frame f)
    {
        var run = new List<(double X, double Y)>();
        void Flush(Rgb c, double w)
        {
            if (run.Count >= 2) surface.Polyline(run, c, w);
            else if (run.Count == 1) surface.Circle(run[0].X, run[0].Y, w, c, 1); // an isolated point
            run.Clear();
        }
        foreach (var s in _series)
        {
            bool have = false;
            double px = 0, py = 0;
            for (int i = 0; i < s.X.Length; i++)
            {
                if (!Usable(s.X[i], s.Y[i])) { Flush(s.Color, s.Width); have = false; continue; }
                double qx = f.MapX(s.X[i]), qy = f.MapY(s.Y[i]);
                if (!have)
                {
                    if (qx >= f.Left && qx <= f.Right && qy >= f.Top && qy <= f.Bottom) run.Add((qx, qy));
                }
                else
                {
                    double ax = px, ay = py, bx = qx, by = qy;
                    if (Canvas.ClipToBox(ref ax, ref ay, ref bx, ref by, f.Left, f.Top, f.Right, f.Bottom))
                    {
                        if (ax != px || ay != py) { Flush(s.Color, s.Width); run.Add((ax, ay)); } // re-enters the frame
                        else if (run.Count == 0) run.Add((ax, ay));
                        run.Add((bx, by));
                        if (bx != qx || by != qy) Flush(s.Color, s.Width);                       // leaves the frame
                    }
                    else Flush(s.Color, s.Width);
                }
                px = qx; py = qy; have = true;
            }
            Flush(s.Color, s.Width);
        }
    }
}
