namespace MixFlow.Imaging;

/// <summary>
/// An 8-bit image with interleaved channels, row-major, top row first: pixel (x, y) channel k is
/// <c>Pixels[(y * Width + x) * Channels + k]</c>. Channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
/// </summary>
public sealed record PngImage
{
    /// <summary>Width in pixels (≥ 1).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (≥ 1).</summary>
    public int Height { get; }

    /// <summary>Channels per pixel: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }

    /// <summary>The samples, <c>Width·Height·Channels</c> bytes.</summary>
    public byte[] Pixels { get; }

    /// <summary>Wraps a pixel buffer (not copied).</summary>
    /// <exception cref="ArgumentException">A non-positive size, channels outside 1..4 or a buffer of the wrong length.</exception>
    public PngImage(int width, int height, int channels, byte[] pixels)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"PngImage: size must be positive, got {width}x{height}");
        if (channels < 1 || channels > 4) throw new ArgumentException($"PngImage: channels must be 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA), got {channels}");
        ArgumentNullException.ThrowIfNull(pixels);
        long need = (long)width * height * channels;
        if (pixels.LongLength != need) throw new ArgumentException($"PngImage: {width}x{height}x{channels} needs {need} bytes, got {pixels.LongLength}");
        Width = width; Height = height; Channels = channels; Pixels = pixels;
    }
}
