using MixFlow.Tensors;

namespace MixFlow.Imaging;

/// <summary>
/// 2-D point sets overlaid on shared axes (e.g. model samples over data), each with its colour, opacity and dot
/// radius; renders to PNG and SVG (see <see cref="Plot"/>). Set <see cref="PlotOptions.XRange"/> /
/// <see cref="PlotOptions.YRange"/> to compare pictures on the same scale.
/// </summary>
public sealed class ScatterPlot : Plot
{
    private readonly List<(string Name, float[] XY, Rgb Color, double Alpha, double Radius)> _sets = new();

    /// <summary>An empty plot.</summary>
    /// <exception cref="ArgumentException">Invalid options (see <see cref="PlotOptions"/>).</exception>
    public ScatterPlot(PlotOptions? options = null) : base(options) { }

    /// <summary>Number of point sets added.</summary>
    public int SetCount => _sets.Count;

    /// <summary>Adds a point set (copied).</summary>
    /// <param name="name">Legend name (empty for none).</param>
    /// <param name="xy">Interleaved coordinates x0, y0, x1, y1, ….</param>
    /// <param name="color">Colour (default: the next palette colour).</param>
    /// <param name="alpha">Opacity in (0, 1] (default 0.5).</param>
    /// <param name="radius">Dot radius in pixels (default 1.5).</param>
    /// <exception cref="ArgumentException">Odd coordinate count, alpha outside (0, 1] or a non-positive radius.</exception>
    public ScatterPlot Add(string name, ReadOnlySpan<float> xy, Rgb? color = null, double alpha = 0.5, double radius = 1.5)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (xy.Length % 2 != 0) throw new ArgumentException($"ScatterPlot.Add('{name}'): {xy.Length} coordinates is odd (x, y pairs expected)");
        if (!(alpha > 0 && alpha <= 1)) throw new ArgumentException($"ScatterPlot.Add('{name}'): alpha must be in (0, 1], got {alpha}");
        if (!(radius > 0)) throw new ArgumentException($"ScatterPlot.Add('{name}'): radius must be positive, got {radius}");
        _sets.Add((name, xy.ToArray(), color ?? Rgb.Series(_sets.Count), alpha, radius));
        return this;
    }

    /// <summary>Adds the points of a tensor of shape [N, 2].</summary>
    /// <exception cref="ArgumentException">The tensor is not [N, 2], or bad alpha/radius.</exception>
    public ScatterPlot Add(string name, Tensor points, Rgb? color = null, double alpha = 0.5, double radius = 1.5)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Rank != 2 || points.Size(1) != 2) throw new ArgumentException($"ScatterPlot.Add('{name}'): points must have shape [N, 2], got [{string.Join(", ", points.Shape)}]");
        return Add(name, points.Contiguous().ToArray(), color, alpha, radius);
    }

    private bool Usable(float x, float y) => float.IsFinite(x) && float.IsFinite(y) && (!Options.LogY || y > 0);

    private protected override bool DataBounds(out double xmin, out double xmax, out double ymin, out double ymax)
    {
        xmin = ymin = double.PositiveInfinity; xmax = ymax = double.NegativeInfinity;
        foreach (var s in _sets)
            for (int i = 0; i + 1 < s.XY.Length; i += 2)
            {
                if (!Usable(s.XY[i], s.XY[i + 1])) continue;
                xmin = Math.Min(xmin, s.XY[i]); xmax = Math.Max(xmax, s.XY[i]);
                ymin = Math.Min(ymin, s.XY[i + 1]); ymax = Math.Max(ymax, s.XY[i + 1]);
            }
        return xmin <= xmax;
    }

    private protected override IEnumerable<LegendEntry> LegendEntries() => _sets.Select(s => new LegendEntry(s.Name, s.Color, true));

    private protected override void DrawContent(IPlotSurface surface, Frame f)
    {
        foreach (var s in _sets)
            for (int i = 0; i + 1 < s.XY.Length; i += 2)
            {
                if (!Usable(s.XY[i], s.XY[i + 1])) continue;
                double px = f.MapX(s.XY[i]), py = f.MapY(s.XY[i + 1]);
                if (px < f.Left || px > f.Right || py < f.Top || py > f.Bottom) continue;
                surface.Circle(px, py, s.Radius, s.Color, s.Alpha);
            }
    }
}
