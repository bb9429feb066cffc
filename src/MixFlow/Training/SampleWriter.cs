using MixFlow.Data;
using MixFlow.Imaging;
using MixFlow.Tensors;

namespace MixFlow.Training;

/// <summary>Files written for a set of samples.</summary>
/// <param name="Png">The grid (images) or scatter plot (points).</param>
/// <param name="Array">The samples as <c>.npz</c> (images: <c>arr_0</c> uint8 NHWC, <c>arr_1</c> labels) or <c>.npy</c> (points, float32 [N, D]).</param>
public sealed record SampleFiles(string Png, string Array);

/// <summary>Writes generated samples: a PNG grid plus an ADM-layout <c>.npz</c> for images; a scatter PNG plus <c>.npy</c> for points.</summary>
public static class SampleWriter
{
    /// <summary>Writes images [N, C, H, W] in [−1, 1]: <c>&lt;stem&gt;.png</c> (at most <paramref name="maxGrid"/> images) and <c>&lt;stem&gt;.npz</c>.</summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static SampleFiles WriteImages(Tensor images, int[]? labels, string directory, string stem, int maxGrid = 100)
    {
        Directory.CreateDirectory(directory);
        string png = Path.Combine(directory, stem + ".png"), npz = Path.Combine(directory, stem + ".npz");
        WriteGrid(images, png, maxGrid);
        int n = images.Size(0), c = images.Size(1), h = images.Size(2), w = images.Size(3);
        NpzFile.WriteSamples(npz, ImageConvert.ToNhwcBytes(images), n, h, w, c, labels?.Select(l => (long)l).ToArray());
        return new SampleFiles(png, npz);
    }

    /// <summary>Writes a grid of at most <paramref name="maxGrid"/> images [N, C, H, W] in [−1, 1].</summary>
    public static void WriteGrid(Tensor images, string path, int maxGrid = 100)
    {
        int n = Math.Min(images.Size(0), maxGrid);
        var shown = n == images.Size(0) ? images : images.Slice(0, 0, n).Contiguous();
        SavePng(path, ImageGrid.Render(shown, new ImageGridOptions { Columns = (int)Math.Ceiling(Math.Sqrt(n)), Scale = 2 }).ToImage());
    }

    /// <summary>Writes points [N, 2]: <c>&lt;stem&gt;.npy</c> and a scatter plot <c>&lt;stem&gt;.png</c> (over <paramref name="reference"/> points if given).</summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static SampleFiles WritePoints(Tensor points, string directory, string stem, Tensor? reference = null, string? title = null)
    {
        Directory.CreateDirectory(directory);
        string png = Path.Combine(directory, stem + ".png"), npy = Path.Combine(directory, stem + ".npy");
        var p = points.Contiguous();
        NpyFile.Write(npy, NpyArray.FromFloat32(p.ToArray(), p.Shape));
        WriteScatter(p, png, reference, title);
        return new SampleFiles(png, npy);
    }

    /// <summary>Scatter plot of points [N, 2] (first two coordinates), optionally over reference points.</summary>
    public static void WriteScatter(Tensor points, string path, Tensor? reference = null, string? title = null)
    {
        var plot = new ScatterPlot(new PlotOptions { Width = 480, Height = 480, Title = title, XRange = (-4.5, 4.5), YRange = (-4.5, 4.5) });
        if (reference is not null) plot.Add("data", First2(reference), Rgb.Series(1), alpha: 0.25);
        plot.Add("samples", First2(points), Rgb.Series(0), alpha: 0.5);
        SavePng(path, plot.ToImage());
    }

    /// <summary>Saves a PNG (adaptive scanline filters).</summary>
    public static void SavePng(string path, PngImage image) => PngEncoder.Save(path, image);

    private static Tensor First2(Tensor p) => p.Size(1) == 2 ? p.Contiguous() : p.Slice(1, 0, 2).Contiguous();
}
