using System.Xml.Linq;
using MixFlow.Data;
using MixFlow.Imaging;
using MixFlow.Tensors;
using MixFlow.Tests.Data;

namespace MixFlow.Tests.Imaging;

public class PlotTests
{
    static int CountColor(PngImage img, Rgb c, int tol = 40)
    {
        int n = 0;
        for (int i = 0; i < img.Pixels.Length; i += img.Channels)
            if (Math.Abs(img.Pixels[i] - c.R) + Math.Abs(img.Pixels[i + 1] - c.G) + Math.Abs(img.Pixels[i + 2] - c.B) <= tol) n++;
        return n;
    }

    [Fact]
    public void BitmapFontGlyphsAreDistinct()
    {
        const string chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,:;-+_=/()[]%!?*<>#";
        var seen = new Dictionary<string, char>();
        foreach (char c in chars)
        {
            Assert.True(BitmapFont.HasGlyph(c), $"no glyph for '{c}'");
            string key = Convert.ToHexString(BitmapFont.Glyph(c).ToArray());
            Assert.False(seen.TryGetValue(key, out char other), $"'{c}' and '{other}' share a glyph");
            seen[key] = c;
        }
        Assert.False(BitmapFont.HasGlyph('\u00e9'));
        Assert.Equal(7, BitmapFont.Glyph('\u00e9').Length);
        Assert.Equal(17, BitmapFont.MeasureWidth("abc"));
    }

    [Fact]
    public void CanvasPrimitivesDrawWhereAsked()
    {
        var c = new Canvas(40, 30);
        c.DrawLine(2, 5, 37, 5, Rgb.Black);                       // horizontal line on row 5
        for (int x = 3; x <= 36; x++) Assert.Equal(Rgb.Black, c.GetPixel(x, 5));
        Assert.Equal(Rgb.White, c.GetPixel(20, 8));
        c.FillCircle(20, 20, 4, new Rgb(255, 0, 0));
        Assert.Equal(new Rgb(255, 0, 0), c.GetPixel(20, 20));
        Assert.Equal(Rgb.White, c.GetPixel(20, 26));
        c.FillRect(0, 0, 2, 2, new Rgb(0, 0, 255), 0.5);
        Assert.Equal(new Rgb(128, 128, 255), c.GetPixel(1, 1));
        c.DrawLine(-1000, -1000, 1000, 1000, Rgb.Black);           // clipped, diagonal through (10, 10)
        Assert.True(c.GetPixel(10, 10).R < 128);
        var t = new Canvas(20, 10);
        t.DrawText(1, 1, "1", Rgb.Black);
        var img = t.ToImage();
        Assert.Equal(BitmapFont.Glyph('1').ToArray().Sum(r => System.Numerics.BitOperations.PopCount(r)), CountColor(img, Rgb.Black, 0));
    }

    [Fact]
    public void LinePlotPngAndSvg()
    {
        var steps = Enumerable.Range(1, 200).Select(i => (double)i).ToArray();
        var p = new LinePlot(new PlotOptions { Width = 500, Height = 300, Title = "loss", XLabel = "step", YLabel = "mse", LogY = true });
        p.Add("train", steps, steps.Select(s => 2.0 / s + 0.01).ToArray(), new Rgb(200, 0, 0));
        p.Add("eval", steps, steps.Select(s => 3.0 / Math.Sqrt(s)).ToArray(), new Rgb(0, 0, 200));
        p.Add("gap", [1.0, double.NaN, 3.0]);
        using var dir = new TempDir();
        string png = dir.File("loss.png"), svg = dir.File("loss.svg");
        p.SavePng(png);
        p.SaveSvg(svg);
        var img = PngDecoder.Load(png);
        Assert.Equal((500, 300, 3), (img.Width, img.Height, img.Channels));
        int red = 0, blue = 0;
        for (int i = 0; i < img.Pixels.Length; i += 3)
        {
            int r = img.Pixels[i], g = img.Pixels[i + 1], b = img.Pixels[i + 2];
            if (r > g + 80 && r > b + 80) red++;
            if (b > g + 80 && b > r + 80) blue++;
        }
        Assert.True(red > 400, $"{red} red pixels");   // a curve spans ~450 px of width
        Assert.True(blue > 400, $"{blue} blue pixels");
        var doc = XDocument.Load(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal("500", doc.Root!.Attribute("width")!.Value);
        var texts = doc.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains("train", texts); Assert.Contains("eval", texts); Assert.Contains("loss", texts); Assert.Contains("mse", texts);
        Assert.Contains("0.1", texts); Assert.Contains("1", texts); // decade ticks on the log axis
        var redLine = doc.Descendants(ns + "polyline").Single(l => l.Attribute("stroke")!.Value == "#c80000");
        Assert.Equal(200, redLine.Attribute("points")!.Value.Split(' ').Length);
        // "gap" = [1, NaN, 3]: the NaN breaks it into two isolated points, drawn as dots
        Assert.Equal(2, doc.Descendants(ns + "circle").Count(c => c.Attribute("fill")!.Value == Rgb.Series(2).ToHex()));
    }

    [Fact]
    public void LinearTicksAreNice()
    {
        var p = new LinePlot(new PlotOptions { Width = 400, Height = 300 });
        p.Add("a", [0.0, 1, 2, 3], [0.0, 0.3, 0.7, 1.0]);
        var texts = XDocument.Parse(p.ToSvg()).Descendants("{http://www.w3.org/2000/svg}text").Select(t => t.Value).ToList();
        Assert.Contains("0.0", texts); Assert.Contains("0.4", texts); Assert.Contains("1.0", texts);
        Assert.Contains("2.0", texts); Assert.Contains("2.5", texts); Assert.Contains("3.0", texts);
        Assert.Throws<ArgumentException>(() => p.Add("bad", [1.0, 2], [1.0]));
        Assert.Throws<ArgumentException>(() => new LinePlot(new PlotOptions { Width = 10 }));
    }

    [Fact]
    public void CurvesAreClippedToAFixedRange()
    {
        var x = Enumerable.Range(0, 400).Select(i => i * 0.05).ToArray();
        var p = new LinePlot(new PlotOptions { YRange = (-0.5, 0.5), Legend = false });
        p.Add("sin", x, x.Select(Math.Sin).ToArray());
        var doc = XDocument.Parse(p.ToSvg());
        XNamespace ns = "http://www.w3.org/2000/svg";
        var frame = doc.Descendants(ns + "rect").Single(r => r.Attribute("fill")!.Value == "none");
        double top = double.Parse(frame.Attribute("y")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        double h = double.Parse(frame.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        var lines = doc.Descendants(ns + "polyline").ToList();
        Assert.True(lines.Count >= 6, $"{lines.Count} pieces"); // sin leaves [-0.5, 0.5] twice per period, ~3 periods
        foreach (var l in lines)
            foreach (var pt in l.Attribute("points")!.Value.Split(' '))
            {
                double y = double.Parse(pt.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(y, top - 1, top + h + 1);
            }
    }

    [Fact]
    public void ScatterPlotOverlaysSets()
    {
        var data = new ToyDataset(Toy2D.EightGaussians, 2000, 1).Sample(2000, new Generator(2));
        var model = ToyDataset.Sample(Toy2D.Rings, 1000, new Generator(3));
        var p = new ScatterPlot(new PlotOptions { Width = 400, Height = 400, XRange = (-4.5, 4.5), YRange = (-4.5, 4.5), Title = "samples" });
        p.Add("data", data, new Rgb(0, 0, 255), alpha: 0.3).Add("model", model, new Rgb(255, 0, 0), alpha: 0.6, radius: 1);
        var img = PngDecoder.Decode(PngEncoder.Encode(p.ToImage()));
        Assert.Equal((400, 400), (img.Width, img.Height));
        Assert.True(CountColor(img, new Rgb(255, 80, 80), 120) > 200);
        var svg = XDocument.Parse(p.ToSvg());
        Assert.True(svg.Descendants("{http://www.w3.org/2000/svg}circle").Count() >= 2500);
        Assert.Throws<ArgumentException>(() => p.Add("odd", new float[3]));
        Assert.Throws<ArgumentException>(() => p.Add("alpha", new float[2], alpha: 0));
    }

    [Fact]
    public void ImageGridHasExpectedSizeAndPixels()
    {
        // 5 gray images 4x3 (H x W): image i is constant, -1 for even i and +1 for odd i
        var x = new float[5 * 12];
        for (int i = 0; i < 5; i++) for (int p = 0; p < 12; p++) x[i * 12 + p] = i % 2 == 0 ? -1 : 1;
        var t = Tensor.FromArray(x, 5, 1, 4, 3);
        var opt = new ImageGridOptions { Columns = 3, Padding = 2, Scale = 2, Background = new Rgb(0, 128, 0) };
        var c = ImageGrid.Render(t, opt);
        Assert.Equal((3 * (6 + 2) + 2, 2 * (8 + 2) + 2), (c.Width, c.Height));
        Assert.Equal(new Rgb(0, 128, 0), c.GetPixel(0, 0));
        Assert.Equal(Rgb.Black, c.GetPixel(2, 2));                 // image 0 top-left
        Assert.Equal(Rgb.White, c.GetPixel(2 + 8, 2 + 7));         // image 1 bottom-left pixel
        Assert.Equal(Rgb.Black, c.GetPixel(2 + 8 * 1, 2 + 10 + 1)); // image 4 (row 1, col 1)
        Assert.Equal(new Rgb(0, 128, 0), c.GetPixel(2 + 16, 12 + 1)); // empty sixth cell

        using var dir = new TempDir();
        var captions = new[] { "0", "1", "dog", "3", "4" };
        string path = dir.File("grid.png");
        ImageGrid.Save(path, t, new ImageGridOptions { Columns = 5, Padding = 1, Scale = 4, Captions = captions });
        var img = PngDecoder.Load(path);
        var layout = ImageGrid.Layout(5, 4, 3, new ImageGridOptions { Columns = 5, Padding = 1, Scale = 4, Captions = captions });
        Assert.Equal((5 * 13 + 1, 1 * (16 + 1 + BitmapFont.LineHeight + 1) + 1), (img.Width, img.Height));
        Assert.Equal((layout.Width, layout.Height, layout.Columns, layout.Rows), (img.Width, img.Height, 5, 1));

        Assert.Throws<ArgumentException>(() => ImageGrid.Render(Tensor.Zeros(2, 2, 4, 4)));
        Assert.Throws<ArgumentException>(() => ImageGrid.Render(t, new ImageGridOptions { Captions = ["a"] }));
    }

    [Fact]
    public void ImageConvertRoundsAndClamps()
    {
        Assert.Equal(0, ImageConvert.ToByte(-1)); Assert.Equal(255, ImageConvert.ToByte(1));
        Assert.Equal(0, ImageConvert.ToByte(-7)); Assert.Equal(255, ImageConvert.ToByte(3)); Assert.Equal(0, ImageConvert.ToByte(float.NaN));
        for (int b = 0; b < 256; b++) Assert.Equal(b, ImageConvert.ToByte((float)(b / 127.5 - 1)));
        var nhwc = ImageConvert.ToNhwcBytes(Tensor.FromArray(new float[] { -1, 1, 0, 1 }, 1, 2, 1, 2));
        Assert.Equal(new byte[] { 0, 128, 255, 255 }, nhwc);
    }
}
