using System.Globalization;
using System.Text;

namespace MixFlow.Imaging;

/// <summary>Horizontal anchoring of text at its reference point.</summary>
internal enum TextAnchor { Start, Middle, End }

/// <summary>The drawing operations a <see cref="Plot"/> needs; implemented for PNG (over <see cref="Canvas"/>) and
/// SVG, so that the plot layout is written once. Text metrics follow <see cref="BitmapFont"/> in both.</summary>
internal interface IPlotSurface
{
    void Line(double x0, double y0, double x1, double y1, Rgb c, double width = 1, double alpha = 1);
    /// <summary>A connected line through the points (at least two).</summary>
    void Polyline(IReadOnlyList<(double X, double Y)> points, Rgb c, double width = 1);
    void FillRect(double x, double y, double w, double h, Rgb c, double alpha = 1);
    void StrokeRect(double x, double y, double w, double h, Rgb c);
    void Circle(double cx, double cy, double r, Rgb c, double alpha);
    /// <summary>Text whose vertical middle is at y, anchored horizontally at x; vertical text reads bottom to top
    /// with its middle at (x, y).</summary>
    void Text(double x, double y, string s, Rgb c, TextAnchor anchor, bool vertical = false);
}

internal sealed class CanvasSurface(Canvas canvas) : IPlotSurface
{
    public void Line(double x0, double y0, double x1, double y1, Rgb c, double width = 1, double alpha = 1) => canvas.DrawLine(x0, y0, x1, y1, c, width, alpha);

    public void Polyline(IReadOnlyList<(double X, double Y)> points, Rgb c, double width = 1)
    {
        for (int i = 1; i < points.Count; i++) canvas.DrawLine(points[i - 1].X, points[i - 1].Y, points[i].X, points[i].Y, c, width);
    }

    public void FillRect(double x, double y, double w, double h, Rgb c, double alpha = 1) =>
        canvas.FillRect((int)Math.Round(x), (int)Math.Round(y), (int)Math.Round(w), (int)Math.Round(h), c, alpha);

    public void StrokeRect(double x, double y, double w, double h, Rgb c) =>
        canvas.DrawRect((int)Math.Round(x), (int)Math.Round(y), (int)Math.Round(w), (int)Math.Round(h), c);

    public void Circle(double cx, double cy, double r, Rgb c, double alpha) => canvas.FillCircle(cx, cy, r, c, alpha);

    public void Text(double x, double y, string s, Rgb c, TextAnchor anchor, bool vertical = false)
    {
        int w = BitmapFont.MeasureWidth(s);
        int shift = anchor switch { TextAnchor.Start => 0, TextAnchor.Middle => w / 2, _ => w };
        if (vertical) canvas.DrawTextVertical((int)Math.Round(x) - BitmapFont.GlyphHeight / 2, (int)Math.Round(y) - w + shift, s, c);
        else canvas.DrawText((int)Math.Round(x) - shift, (int)Math.Round(y) - BitmapFont.GlyphHeight / 2, s, c);
    }
}

internal sealed class SvgSurface : IPlotSurface
{
    private readonly StringBuilder _sb = new();
    private readonly int _w, _h;

    public SvgSurface(int width, int height, Rgb background)
    {
        _w = width; _h = height;
        _sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");
        _sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"{background.ToHex()}\"/>\n");
    }

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Op(double alpha) => alpha >= 1 ? "" : $" opacity=\"{F(Math.Max(0, alpha))}\"";

    public void Line(double x0, double y0, double x1, double y1, Rgb c, double width = 1, double alpha = 1)
    {
        if (!double.IsFinite(x0) || !double.IsFinite(y0) || !double.IsFinite(x1) || !double.IsFinite(y1)) return;
        _sb.Append($"<line x1=\"{F(x0)}\" y1=\"{F(y0)}\" x2=\"{F(x1)}\" y2=\"{F(y1)}\" stroke=\"{c.ToHex()}\" stroke-width=\"{F(width)}\"{Op(alpha)}/>\n");
    }

    public void Polyline(IReadOnlyList<(double X, double Y)> points, Rgb c, double width = 1)
    {
        if (points.Count < 2) return;
        _sb.Append("<polyline points=\"");
        for (int i = 0; i < points.Count; i++) _sb.Append(i == 0 ? "" : " ").Append(F(points[i].X)).Append(',').Append(F(points[i].Y));
        _sb.Append($"\" fill=\"none\" stroke=\"{c.ToHex()}\" stroke-width=\"{F(width)}\" stroke-linejoin=\"round\"/>\n");
    }

    public void FillRect(double x, double y, double w, double h, Rgb c, double alpha = 1) =>
        _sb.Append($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(h)}\" fill=\"{c.ToHex()}\"{Op(alpha)}/>\n");

    public void StrokeRect(double x, double y, double w, double h, Rgb c) =>
        _sb.Append($"<rect x=\"{F(x + 0.5)}\" y=\"{F(y + 0.5)}\" width=\"{F(w - 1)}\" height=\"{F(h - 1)}\" fill=\"none\" stroke=\"{c.ToHex()}\"/>\n");

    public void Circle(double cx, double cy, double r, Rgb c, double alpha)
    {
        if (!double.IsFinite(cx) || !double.IsFinite(cy)) return;
        _sb.Append($"<circle cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"{F(r)}\" fill=\"{c.ToHex()}\"{Op(alpha)}/>\n");
    }

    public void Text(double x, double y, string s, Rgb c, TextAnchor anchor, bool vertical = false)
    {
        string a = anchor switch { TextAnchor.Start => "start", TextAnchor.Middle => "middle", _ => "end" };
        string rot = vertical ? $" transform=\"rotate(-90 {F(x)} {F(y)})\"" : "";
        _sb.Append($"<text x=\"{F(x)}\" y=\"{F(y)}\" fill=\"{c.ToHex()}\" font-family=\"monospace\" font-size=\"10\" text-anchor=\"{a}\" dominant-baseline=\"middle\"{rot}>{Escape(s)}</text>\n");
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    public string Finish() => _sb.ToString() + "</svg>\n";
}
