using MixFlow.Tensors;

namespace MixFlow.Imaging;

/// <summary>
/// Tiles images [N, C, H, W] (C = 1 gray or 3 RGB, values in [−1, 1], clamped) into a rows × columns grid with
/// padding and optional captions in the <see cref="BitmapFont"/>, as an RGB picture.
/// </summary>
public static class ImageGrid
{
    /// <summary>The grid picture size for <paramref name="n"/> images of <paramref name="h"/>×<paramref name="w"/>.</summary>
    /// <exception cref="ArgumentException">No images, or bad options.</exception>
    public static GridLayout Layout(int n, int h, int w, ImageGridOptions? options = null)
    {
        var o = options ?? new ImageGridOptions();
        if (n < 1 || h < 1 || w < 1) throw new ArgumentException($"ImageGrid: need at least one non-empty image, got n={n}, {h}x{w}");
        if (o.Columns < 0) throw new ArgumentException($"ImageGrid: Columns must be ≥ 0, got {o.Columns}");
        if (o.Padding < 0) throw new ArgumentException($"ImageGrid: Padding must be ≥ 0, got {o.Padding}");
        if (o.Scale < 1) throw new ArgumentException($"ImageGrid: Scale must be ≥ 1, got {o.Scale}");
        int cols = o.Columns > 0 ? Math.Min(o.Columns, n) : (int)Math.Ceiling(Math.Sqrt(n));
        int rows = (n + cols - 1) / cols;
        int cap = o.Captions is null ? 0 : BitmapFont.LineHeight + 1;
        long width = (long)cols * (w * o.Scale + o.Padding) + o.Padding;
        long height = (long)rows * (h * o.Scale + o.Padding + cap) + o.Padding;
        if (width * height > 1L << 28) throw new ArgumentException($"ImageGrid: grid of {width}x{height} pixels is too large");
        return new GridLayout((int)width, (int)height, cols, rows);
    }

    /// <summary>Renders the grid.</summary>
    /// <param name="images">Images [N, C, H, W], C ∈ {1, 3}, in [−1, 1].</param>
    /// <param name="options">Layout options (default <see cref="ImageGridOptions"/>).</param>
    /// <exception cref="ArgumentException">Not rank 4, C not 1 or 3, a caption count different from N, or bad options.</exception>
    public static Canvas Render(Tensor images, ImageGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var o = options ?? new ImageGridOptions();
        if (images.Rank != 4 || (images.Size(1) != 1 && images.Size(1) != 3))
            throw new ArgumentException($"ImageGrid: expected images [N, C, H, W] with C = 1 or 3, got shape [{string.Join(", ", images.Shape)}]");
        int n = images.Size(0), c = images.Size(1), h = images.Size(2), w = images.Size(3);
        if (o.Captions is not null && o.Captions.Count != n)
            throw new ArgumentException($"ImageGrid: {o.Captions.Count} captions for {n} images");
        var L = Layout(n, h, w, o);
        var canvas = new Canvas(L.Width, L.Height, o.Background);
        var px = images.Contiguous().ToArray();
        int cap = o.Captions is null ? 0 : BitmapFont.LineHeight + 1;
        int cellW = w * o.Scale + o.Padding, cellH = h * o.Scale + o.Padding + cap;
        int hw = h * w;
        for (int i = 0; i < n; i++)
        {
            int x0 = o.Padding + (i % L.Columns) * cellW, y0 = o.Padding + (i / L.Columns) * cellH;
            long b = (long)i * c * hw;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    long p = b + y * w + x;
                    byte r = ImageConvert.ToByte(px[p]);
                    var col = c == 1 ? new Rgb(r, r, r) : new Rgb(r, ImageConvert.ToByte(px[p + hw]), ImageConvert.ToByte(px[p + 2 * hw]));
                    if (o.Scale == 1) canvas.SetPixel(x0 + x, y0 + y, col);
                    else canvas.FillRect(x0 + x * o.Scale, y0 + y * o.Scale, o.Scale, o.Scale, col);
                }
            if (o.Captions is not null)
            {
                string t = o.Captions[i] ?? "";
                int maxChars = Math.Max(1, (w * o.Scale + 1) / BitmapFont.Advance);
                if (t.Length > maxChars) t = t[..maxChars];
                int tx = x0 + (w * o.Scale - BitmapFont.MeasureWidth(t)) / 2;
                canvas.DrawText(tx, y0 + h * o.Scale + 1, t, o.CaptionColor);
            }
        }
        return canvas;
    }

    /// <summary>Renders the grid and writes it as an RGB PNG (atomically).</summary>
    /// <exception cref="ArgumentException">See <see cref="Render"/>.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, Tensor images, ImageGridOptions? options = null) => Render(images, options).SavePng(path);
}
