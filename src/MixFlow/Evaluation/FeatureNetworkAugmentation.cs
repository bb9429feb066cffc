using MixFlow.Data;
using MixFlow.Tensors;

namespace MixFlow.Evaluation;

/// <summary>
/// The random translation augmentation of the feature network's training recipe
/// (<see cref="FeatureNetworkRecipe.MaxShift"/>): every training image is moved by an integer offset (dy, dx), each
/// drawn uniformly from [−MaxShift, MaxShift], and the uncovered border is filled with the background value −1
/// (Fashion-MNIST images are in [−1, 1] with a black, i.e. −1, background). The offsets depend only on the seed, the
/// update index and the position in the batch, so training stays deterministic.
/// </summary>
public static class FeatureNetworkAugmentation
{
    private const ulong ShiftSalt = 0x5A1F_7E0Du;

    /// <summary>The value written into pixels that a shift uncovers (the images' black background).</summary>
    public const float Background = -1f;

    /// <summary>Translates each image of a contiguous batch [N, C, H, W] in place by a seeded random offset.</summary>
    /// <param name="images">The batch (contiguous, rank 4); overwritten.</param>
    /// <param name="maxShift">Largest offset in pixels along each axis, ≥ 0 (0 leaves the batch unchanged).</param>
    /// <param name="seed">The recipe's seed.</param>
    /// <param name="step">The update index (makes every update's offsets different).</param>
    /// <exception cref="ArgumentNullException">images is null.</exception>
    /// <exception cref="ArgumentException">images is not a contiguous rank-4 tensor, or maxShift is negative or not
    /// smaller than the image height and width.</exception>
    public static void RandomShift(Tensor images, int maxShift, ulong seed, long step)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || !images.IsContiguous)
            throw new ArgumentException($"FeatureNetworkAugmentation.RandomShift: expected a contiguous [N, C, H, W] tensor, got {(images.IsContiguous ? "" : "a strided ")}{TensorShape.Format(images.Shape)}");
        int n = images.Size(0), c = images.Size(1), h = images.Size(2), w = images.Size(3);
        if (maxShift < 0 || maxShift >= h || maxShift >= w)
            throw new ArgumentException($"FeatureNetworkAugmentation.RandomShift: maxShift must be in [0, min(H, W) = {Math.Min(h, w)}) (got {maxShift})");
        if (maxShift == 0 || n == 0) return;
        var data = images.AsSpan();
        int plane = h * w;
        Span<float> tmp = plane <= 4096 ? stackalloc float[plane] : new float[plane];
        for (int i = 0; i < n; i++)
        {
            var gen = new Generator(SeedMix.Mix(seed ^ ShiftSalt, (ulong)step, (ulong)i));
            int dy = gen.NextInt(-maxShift, maxShift + 1), dx = gen.NextInt(-maxShift, maxShift + 1);
            if (dy == 0 && dx == 0) continue;
            for (int ch = 0; ch < c; ch++)
                ShiftPlane(data.Slice((i * c + ch) * plane, plane), tmp, h, w, dy, dx);
        }
    }

    /// <summary>out[y, x] = in[y − dy, x − dx] where that is inside the image, else <see cref="Background"/>.</summary>
    private static void ShiftPlane(Span<float> p, Span<float> tmp, int h, int w, int dy, int dx)
    {
        p.CopyTo(tmp);
        p.Fill(Background);
        int x0 = Math.Max(0, dx), x1 = Math.Min(w, w + dx), len = x1 - x0;
        if (len <= 0) return;
        for (int y = Math.Max(0, dy); y < Math.Min(h, h + dy); y++)
            tmp.Slice((y - dy) * w + (x0 - dx), len).CopyTo(p.Slice(y * w + x0, len));
    }
}
