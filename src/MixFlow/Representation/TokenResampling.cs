using MixFlow.Tensors;

namespace MixFlow.Representation;

/// <summary>
/// Maps encoder tokens laid out on one grid onto another grid (REPA aligns per token, so the encoder's token grid must
/// match the model's patch grid). Two rules:
/// <list type="bullet">
/// <item>the encoder grid is an integer multiple f_h × f_w of the target grid: average pooling over f_h × f_w windows;</item>
/// <item>otherwise (the target grid is finer, or the ratio is not whole): nearest neighbour at the cell centres,
/// source row ⌊(i + ½)·H_e / H_t⌋ (for an integer upsampling factor this repeats every token f × f times).</item>
/// </list>
/// No autograd: encoder tokens are detached targets.
/// </summary>
public static class TokenResampling
{
    /// <summary>Resamples tokens [N, H_e·W_e, D] from grid (H_e, W_e) to [N, H_t·W_t, D] on grid (H_t, W_t).</summary>
    /// <exception cref="ArgumentException">The token count does not match the source grid, or a grid side is not positive.</exception>
    public static Tensor ToGrid(Tensor tokens, (int Height, int Width) from, (int Height, int Width) to)
    {
        if (from.Height < 1 || from.Width < 1 || to.Height < 1 || to.Width < 1)
            throw new ArgumentException($"TokenResampling.ToGrid: grid sides must be positive (from {from.Height}×{from.Width}, to {to.Height}×{to.Width})");
        if (tokens.Rank != 3 || tokens.Size(1) != from.Height * from.Width)
            throw new ArgumentException($"TokenResampling.ToGrid: tokens of shape {TensorShape.Format(tokens.Shape)}, expected [N, {from.Height * from.Width}, D] for a {from.Height}×{from.Width} grid");
        if (from == to) return tokens;
        int n = tokens.Size(0), d = tokens.Size(2), he = from.Height, we = from.Width, ht = to.Height, wt = to.Width;
        var src = tokens.Detach().Contiguous();
        var dst = Tensor.Zeros(n, ht * wt, d);
        var s = src.AsSpan(); var o = dst.AsSpan();
        bool pool = he % ht == 0 && we % wt == 0;
        int fh = he / ht, fw = we / wt;
        float inv = pool ? 1f / (fh * fw) : 1f;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < ht; i++)
                for (int j = 0; j < wt; j++)
                {
                    var row = o.Slice(((b * ht + i) * wt + j) * d, d);
                    if (pool)
                    {
                        for (int a = 0; a < fh; a++)
                            for (int c = 0; c < fw; c++)
                            {
                                var sr = s.Slice(((b * he + i * fh + a) * we + j * fw + c) * d, d);
                                System.Numerics.Tensors.TensorPrimitives.Add(row, sr, row);
                            }
                        System.Numerics.Tensors.TensorPrimitives.Multiply(row, inv, row);
                    }
                    else
                    {
                        int si = (int)((i + 0.5) * he / ht), sj = (int)((j + 0.5) * we / wt);
                        s.Slice(((b * he + si) * we + sj) * d, d).CopyTo(row);
                    }
                }
        return dst;
    }
}
