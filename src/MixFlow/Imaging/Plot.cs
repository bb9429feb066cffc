using System.Globalization;

namespace MixFlow.Imaging;

/// <summary>
/// Base of <see cref="LinePlot"/> and <see cref="ScatterPlot"/>: axes with ticks and tick labels (linear or log-y),
/// optional grid, title, axis labels and legend, rendered to PNG (own rasteriser, <see cref="BitmapFont"/> text) or SVG
/// from one layout.
/// </summary>
public abstract class Plot
{
    private protected readonly record struct LegendEntry(string Name, Rgb Color, bool Marker);

    private protected readonly record struct Frame(double Left, double Top, double Right, double Bottom,
        double XMin, double XMax, double YMin, double YMax, bool LogY)
    {
        public double MapX(double x) => Left + (x - XMin) / (XMax - XMin) * (Right - Left);
        public double MapY(double y)
        {
            double v = LogY ? Math.Log10(y) : y;
            return Bottom - (v - YMin) / (YMax - YMin) * (Bottom - Top);
        }
    }

    /// <summary>The options.</summary>
    public PlotOptions Options { get; }

    /// <summary>Creates a plot.</summary>
    /// <exception cref="ArgumentException">A size below 64×48 or above 8192, or an empty or inverted fixed range.</exception>
    private protected Plot(PlotOptions? options)
    {
        var o = options ?? new PlotOptions();
        if (o.Width < 64 || o.Height < 48 || o.Width > 8192 || o.Height > 8192)
            throw new ArgumentException($"{GetType().Name}: size must be within 64x48 .. 8192x8192, got {o.Width}x{o.Height}");
        if (o.XRange is { } xr && !(xr.Max > xr.Min)) throw new ArgumentException($"{GetType().Name}: XRange ({xr.Min}, {xr.Max}) must have Max > Min");
        if (o.YRange is { } yr && (!(yr.Max > yr.Min) || (o.LogY && yr.Min <= 0))) throw new ArgumentException($"{GetType().Name}: YRange ({yr.Min}, {yr.Max}) must have Max > Min (and Min > 0 with LogY)");
        Options = o;
    }

    /// <summary>Data bounds over all series (non-finite values and, with log-y, non-positive y skipped); false if none.</summary>
    private protected abstract bool DataBounds(out double xmin, out double xmax, out double ymin, out double ymax);

    private protected abstract IEnumerable<LegendEntry> LegendEntries();

    private protected abstract void DrawContent(IPlotSurface s, Frame f);

    /// <summary>Renders to a canvas.</summary>
    public Canvas RenderCanvas()
    {
        var c = new Canvas(Options.Width, Options.Height, Rgb.White);
        Render(new CanvasSurface(c));
        return c;
    }

    /// <summary>Renders to an RGB image.</summary>
    public PngImage ToImage() => RenderCanvas().ToImage();

    /// <summary>Renders and writes a PNG file (atomically).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void SavePng(string path) => RenderCanvas().SavePng(path);

    /// <summary>Renders to an SVG document.</summary>
    public string ToSvg()
    {
        var s = new SvgSurface(Options.Width, Options.Height, Rgb.White);
        Render(s);
        return s.Finish();
    }

    /// <summary>Renders and writes an SVG file (atomically).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void SaveSvg(string path) => AtomicFile.WriteAllText(path, ToSvg());

    private void Render(IPlotSurface s)
    {
        var o = Options;
        if (!DataBounds(out double x0, out double x1, out double y0, out double y1)) { x0 = 0; x1 = 1; y0 = o.LogY ? 1 : 0; y1 = o.LogY ? 10 : 1; }
        if (o.XRange is { } xr) { x0 = xr.Min; x1 = xr.Max; }
        if (o.YRange is { } yr) { y0 = yr.Min; y1 = yr.Max; }
        if (o.LogY) { y0 = Math.Log10(y0); y1 = Math.Log10(y1); }
        Widen(ref x0, ref x1, o.XRange is null);
        Widen(ref y0, ref y1, o.YRange is null);

        var xt = Ticks.Linear(x0, x1, Math.Max(2, o.Width / 70));
        var yt = o.LogY ? Ticks.Log(y0, y1, Math.Max(2, o.Height / 50)) : Ticks.Linear(y0, y1, Math.Max(2, o.Height / 50));
        if (o.XRange is null && xt.Count > 0) { x0 = Math.Min(x0, xt.Values[0]); x1 = Math.Max(x1, xt.Values[^1]); }
        if (o.YRange is null && yt.Count > 0) { y0 = Math.Min(y0, yt.Values[0]); y1 = Math.Max(y1, yt.Values[^1]); }

        int yLabelW = 0;
        foreach (var l in yt.Labels) yLabelW = Math.Max(yLabelW, BitmapFont.MeasureWidth(l));
        double left = 8 + yLabelW + 6 + (o.YLabel is null ? 0 : BitmapFont.LineHeight + 6);
        double top = 10 + (o.Title is null ? 0 : BitmapFont.LineHeight + 8);
        double right = o.Width - 12;
        double bottom = o.Height - (8 + BitmapFont.LineHeight + 6 + (o.XLabel is null ? 0 : BitmapFont.LineHeight + 6));
        if (right - left < 16) left = Math.Max(0, right - 16);
        if (bottom - top < 16) top = Math.Max(0, bottom - 16);
        var f = new Frame(left, top, right, bottom, x0, x1, y0, y1, o.LogY);

        // grid and ticks
        for (int i = 0; i < xt.Count; i++)
        {
            double px = f.MapX(xt.Values[i]);
            if (px < left - 0.5 || px > right + 0.5) continue;
            if (o.Grid) s.Line(px, top, px, bottom, Rgb.LightGray);
            s.Line(px, bottom, px, bottom + 4, Rgb.DarkGray);
            s.Text(px, bottom + 6 + BitmapFont.GlyphHeight / 2.0, xt.Labels[i], Rgb.DarkGray, TextAnchor.Middle);
        }
        for (int i = 0; i < yt.Count; i++)
        {
            double py = bottom - (yt.Values[i] - y0) / (y1 - y0) * (bottom - top);
            if (py < top - 0.5 || py > bottom + 0.5) continue;
            if (o.Grid) s.Line(left, py, right, py, Rgb.LightGray);
            s.Line(left - 4, py, left, py, Rgb.DarkGray);
            s.Text(left - 6, py, yt.Labels[i], Rgb.DarkGray, TextAnchor.End);
        }

        DrawContent(s, f);
        s.StrokeRect(left, top, right - left + 1, bottom - top + 1, Rgb.DarkGray);

        if (o.Title is not null) s.Text(o.Width / 2.0, 10 + BitmapFont.GlyphHeight / 2.0, o.Title, Rgb.Black, TextAnchor.Middle);
        if (o.XLabel is not null) s.Text((left + right) / 2, o.Height - 8 - BitmapFont.GlyphHeight / 2.0, o.XLabel, Rgb.Black, TextAnchor.Middle);
        if (o.YLabel is not null) s.Text(8 + BitmapFont.GlyphHeight / 2.0, (top + bottom) / 2, o.YLabel, Rgb.Black, TextAnchor.Middle, vertical: true);

        if (o.Legend) DrawLegend(s, f);
    }

    private void DrawLegend(IPlotSurface s, Frame f)
    {
        var entries = LegendEntries().Where(e => !string.IsNullOrEmpty(e.Name)).ToList();
        if (entries.Count == 0) return;
        int textW = entries.Max(e => BitmapFont.MeasureWidth(e.Name));
        double w = 8 + 14 + 4 + textW + 8, h = 6 + entries.Count * (BitmapFont.LineHeight + 3) + 3;
        double x = f.Right - w - 6, y = f.Top + 6;
        s.FillRect(x, y, w, h, Rgb.White, 0.85);
        s.StrokeRect(x, y, w, h, Rgb.LightGray);
        for (int i = 0; i < entries.Count; i++)
        {
            double cy = y + 6 + i * (BitmapFont.LineHeight + 3) + BitmapFont.GlyphHeight / 2.0;
            if (entries[i].Marker) s.Circle(x + 15, cy, 3, entries[i].Color, 1);
            else s.Line(x + 8, cy, x + 22, cy, entries[i].Color, 2);
            s.Text(x + 26, cy, entries[i].Name, Rgb.Black, TextAnchor.Start);
        }
    }

    private static void Widen(ref double lo, ref double hi, bool pad)
    {
        if (hi < lo) (lo, hi) = (hi, lo);
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(lo))) { double d = Math.Max(0.5, Math.Abs(lo) * 0.1); lo -= d; hi += d; }
        else if (pad) { double d = (hi - lo) * 0.03; lo -= d; hi += d; }
    }

    /// <summary>Tick positions (axis units: log10 for a log axis) and their labels.</summary>
    private protected sealed record Ticks(List<double> Values, List<string> Labels)
    {
        public int Count => Values.Count;

        /// <summary>"Nice" ticks (1, 2, 5 × 10^k steps, the one nearest to (hi − lo) / target) within [lo, hi].</summary>
        public static Ticks Linear(double lo, double hi, int target)
        {
            double step = NiceStep((hi - lo) / Math.Max(1, target));
            var v = new List<double>();
            var l = new List<string>();
            double start = Math.Ceiling(lo / step - 1e-9) * step;
            for (int i = 0; i < 1000; i++)
            {
                double t = start + i * step;
                if (t > hi + step * 1e-9) break;
                if (Math.Abs(t) < step * 1e-9) t = 0;
                v.Add(t); l.Add(Format(t, step));
            }
            return new Ticks(v, l);
        }

        /// <summary>Ticks of a log10 axis spanning [lo, hi] decades: powers of ten (every k-th decade when there are
        /// many), or 1-2-5 multiples when the range is under two decades.</summary>
        public static Ticks Log(double lo, double hi, int target)
        {
            var v = new List<double>();
            var l = new List<string>();
            int e0 = (int)Math.Ceiling(lo - 1e-9), e1 = (int)Math.Floor(hi + 1e-9);
            if (e1 - e0 >= 2)
            {
                int every = Math.Max(1, (int)Math.Ceiling((e1 - e0 + 1) / (double)target));
                for (int e = e0; e <= e1; e++)
                    if ((e - e0) % every == 0) { v.Add(e); l.Add(FormatPow10(e)); }
            }
            else
            {
                for (int e = (int)Math.Floor(lo) - 1; e <= (int)Math.Ceiling(hi); e++)
                    foreach (double m in new[] { 1.0, 2.0, 5.0 })
                    {
                        double t = e + Math.Log10(m);
                        if (t < lo - 1e-9 || t > hi + 1e-9) continue;
                        double val = m * Math.Pow(10, e);
                        v.Add(t); l.Add(Format(val, Math.Pow(10, e)));
                    }
                if (v.Count < 2) return LinearInLog(lo, hi, target);
            }
            return new Ticks(v, l);
        }

        private static Ticks LinearInLog(double lo, double hi, int target)
        {
            double a = Math.Pow(10, lo), b = Math.Pow(10, hi);
            var lin = Linear(a, b, target);
            var v = new List<double>();
            var l = new List<string>();
            for (int i = 0; i < lin.Count; i++)
                if (lin.Values[i] > 0) { v.Add(Math.Log10(lin.Values[i])); l.Add(lin.Labels[i]); }
            return new Ticks(v, l);
        }

        private static double NiceStep(double raw)
        {
            if (!(raw > 0) || !double.IsFinite(raw)) return 1;
            double p = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double m = raw / p;
            return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
        }

        private static string FormatPow10(int e) => e is >= -3 and <= 4 ? Math.Pow(10, e).ToString("0.###", CultureInfo.InvariantCulture) : "1e" + e.ToString(CultureInfo.InvariantCulture);

        internal static string Format(double v, double step)
        {
            double a = Math.Abs(v);
            if (v != 0 && (a >= 1e5 || a < 1e-3)) return v.ToString("0.##e0", CultureInfo.InvariantCulture);
            int dec = Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 6);
            return v.ToString("F" + dec.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }
    }
}
