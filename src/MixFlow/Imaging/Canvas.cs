namespace MixFlow.Imaging;

/// <summary>
/// An RGB raster (8-bit, row-major, top row first) with the drawing primitives the pictures of this namespace share:
/// alpha-blended pixels, filled rectangles, anti-aliased lines (Xiaolin Wu) and filled circles, and text in the
/// <see cref="BitmapFont"/>. Coordinates are in pixels, x to the right, y down; drawing outside the canvas is clipped.
/// </summary>
public sealed class Canvas
{
    private readonly byte[] _rgb;

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>A canvas filled with <paramref name="background"/> (default white).</summary>
    /// <exception cref="ArgumentException">A non-positive size, or more than 2^28 pixels.</exception>
    public Canvas(int width, int height, Rgb? background = null)
    {
        if (width < 1 || height < 1 || (long)width * height > 1L << 28)
            throw new ArgumentException($"Canvas: size must be positive and at most 2^28 pixels, got {width}x{height}");
        Width = width; Height = height;
        _rgb = new byte[(long)width * height * 3];
        var bg = background ?? Rgb.White;
        if (bg != Rgb.Black) FillRect(0, 0, width, height, bg);
    }

    /// <summary>The colour at (x, y).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The point is outside the canvas.</exception>
    public Rgb GetPixel(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(x), $"Canvas.GetPixel: ({x}, {y}) outside {Width}x{Height}");
        long o = ((long)y * Width + x) * 3;
        return new Rgb(_rgb[o], _rgb[o + 1], _rgb[o + 2]);
    }

    /// <summary>Sets (x, y) to <paramref name="c"/>; ignored outside the canvas.</summary>
    public void SetPixel(int x, int y, Rgb c)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        long o = ((long)y * Width + x) * 3;
        _rgb[o] = c.R; _rgb[o + 1] = c.G; _rgb[o + 2] = c.B;
    }

    /// <summary>Blends <paramref name="c"/> over (x, y) with opacity <paramref name="alpha"/> in [0, 1]; ignored outside.</summary>
    public void BlendPixel(int x, int y, Rgb c, double alpha)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || !(alpha > 0)) return;
        if (alpha >= 1) { SetPixel(x, y, c); return; }
        long o = ((long)y * Width + x) * 3;
        _rgb[o] = Mix(_rgb[o], c.R, alpha);
        _rgb[o + 1] = Mix(_rgb[o + 1], c.G, alpha);
        _rgb[o + 2] = Mix(_rgb[o + 2], c.B, alpha);
    }

    private static byte Mix(byte under, byte over, double a) => (byte)Math.Clamp((int)Math.Round(under + (over - under) * a), 0, 255);

    /// <summary>Fills the rectangle [x, x+w) × [y, y+h) (clipped), blended with opacity <paramref name="alpha"/>.</summary>
    public void FillRect(int x, int y, int w, int h, Rgb c, double alpha = 1)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y);
        int x1 = (int)Math.Min(Width, (long)x + w), y1 = (int)Math.Min(Height, (long)y + h);
        for (int yy = y0; yy < y1; yy++)
            for (int xx = x0; xx < x1; xx++) BlendPixel(xx, yy, c, alpha);
    }

    /// <summary>Outlines the rectangle [x, x+w) × [y, y+h) with 1-pixel lines.</summary>
    public void DrawRect(int x, int y, int w, int h, Rgb c)
    {
        if (w <= 0 || h <= 0) return;
        FillRect(x, y, w, 1, c); FillRect(x, y + h - 1, w, 1, c);
        FillRect(x, y, 1, h, c); FillRect(x + w - 1, y, 1, h, c);
    }

    /// <summary>Draws an anti-aliased line (Xiaolin Wu) between pixel-centre coordinates; a <paramref name="width"/>
    /// above 1 draws parallel strokes spread across the width.</summary>
    public void DrawLine(double x0, double y0, double x1, double y1, Rgb c, double width = 1, double alpha = 1)
    {
        if (!double.IsFinite(x0) || !double.IsFinite(y0) || !double.IsFinite(x1) || !double.IsFinite(y1)) return;
        if (width <= 1) { WuLine(x0, y0, x1, y1, c, alpha); return; }
        double dx = x1 - x0, dy = y1 - y0, len = Math.Sqrt(dx * dx + dy * dy);
        double nx = len > 0 ? -dy / len : 0, ny = len > 0 ? dx / len : 1;
        int strokes = (int)Math.Ceiling((width - 1) * 2) + 1;
        for (int s = 0; s < strokes; s++)
        {
            double off = -(width - 1) / 2 + s * (width - 1) / (strokes - 1);
            WuLine(x0 + nx * off, y0 + ny * off, x1 + nx * off, y1 + ny * off, c, alpha);
        }
    }

    private void WuLine(double x0, double y0, double x1, double y1, Rgb c, double alpha)
    {
        // clip generously to the canvas so that huge coordinates do not loop for long
        double lim = 4.0 * (Width + Height);
        if (Math.Abs(x0) > lim || Math.Abs(x1) > lim || Math.Abs(y0) > lim || Math.Abs(y1) > lim)
        {
            if (!ClipToBox(ref x0, ref y0, ref x1, ref y1, -2, -2, Width + 1, Height + 1)) return;
        }
        bool steep = Math.Abs(y1 - y0) > Math.Abs(x1 - x0);
        if (steep) { (x0, y0) = (y0, x0); (x1, y1) = (y1, x1); }
        if (x0 > x1) { (x0, x1) = (x1, x0); (y0, y1) = (y1, y0); }
        double dx = x1 - x0, dy = y1 - y0;
        double grad = dx == 0 ? 1 : dy / dx;

        void Plot(int px, int py, double cov)
        {
            if (steep) BlendPixel(py, px, c, cov * alpha); else BlendPixel(px, py, c, cov * alpha);
        }

        // first end point
        double xend = Math.Round(x0), yend = y0 + grad * (xend - x0);
        double xgap = 1 - Frac(x0 + 0.5);
        int xp1 = (int)xend, yp1 = (int)Math.Floor(yend);
        Plot(xp1, yp1, (1 - Frac(yend)) * xgap);
        Plot(xp1, yp1 + 1, Frac(yend) * xgap);
        double intery = yend + grad;
        // second end point
        xend = Math.Round(x1); yend = y1 + grad * (xend - x1);
        xgap = Frac(x1 + 0.5);
        int xp2 = (int)xend, yp2 = (int)Math.Floor(yend);
        if (xp2 != xp1)
        {
            Plot(xp2, yp2, (1 - Frac(yend)) * xgap);
            Plot(xp2, yp2 + 1, Frac(yend) * xgap);
        }
        for (int x = xp1 + 1; x < xp2; x++)
        {
            int iy = (int)Math.Floor(intery);
            Plot(x, iy, 1 - Frac(intery));
            Plot(x, iy + 1, Frac(intery));
            intery += grad;
        }
    }

    private static double Frac(double v) => v - Math.Floor(v);

    /// <summary>Liang–Barsky clipping of a segment to a box; false when it misses the box.</summary>
    internal static bool ClipToBox(ref double x0, ref double y0, ref double x1, ref double y1, double xmin, double ymin, double xmax, double ymax)
    {
        double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
        ReadOnlySpan<double> p = [-dx, dx, -dy, dy];
        ReadOnlySpan<double> q = [x0 - xmin, xmax - x0, y0 - ymin, ymax - y0];
        for (int i = 0; i < 4; i++)
        {
            if (p[i] == 0) { if (q[i] < 0) return false; continue; }
            double t = q[i] / p[i];
            if (p[i] < 0) { if (t > t1) return false; if (t > t0) t0 = t; }
            else { if (t < t0) return false; if (t < t1) t1 = t; }
        }
        double nx0 = x0 + t0 * dx, ny0 = y0 + t0 * dy, nx1 = x0 + t1 * dx, ny1 = y0 + t1 * dy;
        x0 = nx0; y0 = ny0; x1 = nx1; y1 = ny1;
        return true;
    }

    /// <summary>Fills a disc of radius <paramref name="r"/> centred at (cx, cy) with anti-aliased edges.</summary>
    public void FillCircle(double cx, double cy, double r, Rgb c, double alpha = 1)
    {
        if (!(r > 0) || !double.IsFinite(cx) || !double.IsFinite(cy)) return;
        int x0 = (int)Math.Floor(cx - r - 1), x1 = (int)Math.Ceiling(cx + r + 1);
        int y0 = (int)Math.Floor(cy - r - 1), y1 = (int)Math.Ceiling(cy + r + 1);
        x0 = Math.Max(x0, 0); y0 = Math.Max(y0, 0); x1 = Math.Min(x1, Width - 1); y1 = Math.Min(y1, Height - 1);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                double d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                double cov = Math.Clamp(r + 0.5 - d, 0, 1);
                if (cov > 0) BlendPixel(x, y, c, cov * alpha);
            }
    }

    /// <summary>Draws <paramref name="text"/> in the <see cref="BitmapFont"/> with its top-left corner at (x, y), each
    /// font pixel a <paramref name="scale"/>×<paramref name="scale"/> block.</summary>
    public void DrawText(int x, int y, string text, Rgb c, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        scale = Math.Max(1, scale);
        for (int i = 0; i < text.Length; i++)
        {
            var g = BitmapFont.Glyph(text[i]);
            int gx = x + i * BitmapFont.Advance * scale;
            for (int r = 0; r < BitmapFont.GlyphHeight; r++)
                for (int k = 0; k < BitmapFont.GlyphWidth; k++)
                    if ((g[r] >> (BitmapFont.GlyphWidth - 1 - k) & 1) != 0)
                        FillRect(gx + k * scale, y + r * scale, scale, scale, c);
        }
    }

    /// <summary>Draws <paramref name="text"/> rotated a quarter turn counter-clockwise (reading bottom to top) in the
    /// box whose top-left corner is (x, y): the box is 7·scale wide and <see cref="BitmapFont.MeasureWidth"/> high.</summary>
    public void DrawTextVertical(int x, int y, string text, Rgb c, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        scale = Math.Max(1, scale);
        int total = BitmapFont.MeasureWidth(text, 1);
        for (int i = 0; i < text.Length; i++)
        {
            var g = BitmapFont.Glyph(text[i]);
            for (int r = 0; r < BitmapFont.GlyphHeight; r++)
                for (int k = 0; k < BitmapFont.GlyphWidth; k++)
                    if ((g[r] >> (BitmapFont.GlyphWidth - 1 - k) & 1) != 0)
                    {
                        int px = i * BitmapFont.Advance + k;
                        FillRect(x + r * scale, y + (total - 1 - px) * scale, scale, scale, c);
                    }
        }
    }

    /// <summary>Copies an image onto the canvas with its top-left at (x, y) (gray is replicated; alpha blends).</summary>
    public void DrawImage(int x, int y, PngImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int ch = image.Channels;
        for (int yy = 0; yy < image.Height; yy++)
            for (int xx = 0; xx < image.Width; xx++)
            {
                int o = (yy * image.Width + xx) * ch;
                var p = image.Pixels;
                Rgb col = ch >= 3 ? new Rgb(p[o], p[o + 1], p[o + 2]) : new Rgb(p[o], p[o], p[o]);
                double a = ch == 2 ? p[o + 1] / 255.0 : ch == 4 ? p[o + 3] / 255.0 : 1;
                BlendPixel(x + xx, y + yy, col, a);
            }
    }

    /// <summary>A copy of the canvas as a 3-channel <see cref="PngImage"/>.</summary>
    public PngImage ToImage() => new(Width, Height, 3, (byte[])_rgb.Clone());

    /// <summary>Writes the canvas as an RGB PNG file (atomically).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void SavePng(string path) => PngEncoder.Save(path, ToImage());
}
