using MixFlow.Tensors;

namespace MixFlow.Imaging;

/// <summary>Conversions between model-space image tensors (float32 NCHW in [−1, 1]) and 8-bit pixels.</summary>
public static class ImageConvert
{
    /// <summary>Maps one value in [−1, 1] to a byte: <c>round((v + 1) · 127.5)</c>, clamped (NaN gives 0).</summary>
    public static byte ToByte(float v)
    {
        if (!(v > -1)) return 0;
        if (v >= 1) return 255;
        return (byte)Math.Round((v + 1) * 127.5f, MidpointRounding.AwayFromZero);
    }

    /// <summary>Converts images [N, C, H, W] in [−1, 1] to channel-last bytes [N, H, W, C] (e.g. for
    /// <c>NpzFile.WriteSamples</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is not of rank 4.</exception>
    public static byte[] ToNhwcBytes(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4) throw new ArgumentException($"ImageConvert.ToNhwcBytes: expected images [N, C, H, W], got shape [{string.Join(", ", images.Shape)}]");
        int n = images.Size(0), c = images.Size(1), h = images.Size(2), w = images.Size(3);
        var src = images.Contiguous().ToArray();
        var dst = new byte[src.LongLength];
        int hw = h * w;
        for (long i = 0; i < n; i++)
        {
            long b = i * c * hw;
            for (int k = 0; k < c; k++)
                for (int p = 0; p < hw; p++) dst[b + (long)p * c + k] = ToByte(src[b + (long)k * hw + p]);
        }
        return dst;
    }
}
