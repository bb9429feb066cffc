using System.Numerics.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Reductions: Sum, Mean, Max over axes with keepdim, and SumToShape (the adjoint of broadcasting).
// Layout: the input is viewed as [outer, reduced, inner]; every output element is computed by one thread in a fixed
// order, so results do not depend on the thread count.
public sealed partial class Tensor
{
    /// <summary>Sum of all elements (a rank-0 tensor).</summary>
    public Tensor Sum() => Sum(Enumerable.Range(0, Rank).ToArray(), keepDim: false);

    /// <summary>Sum over one axis.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Sum over the given axes; with <paramref name="keepDim"/> the reduced axes stay as size 1.</summary>
    public Tensor Sum(int[] axes, bool keepDim = false)
    {
        var reduce = AxisMask(axes, "Sum");
        var outKeep = ReducedShape(reduce, keepDim: true);
        var r = SumKernel(reduce, outKeep);
        if (!keepDim) r = r.Reshape(ReducedShape(reduce, keepDim: false)); // a view of the kernel output, no graph yet
        if (AnyRequiresGrad(this))
        {
            var inShape = _shape;
            r.WithGrad("sum", [this], g => AccumulateGrad(g.Reshape(outKeep).Expand(inShape)));
        }
        return r;
    }

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Mean(Enumerable.Range(0, Rank).ToArray(), keepDim: false);

    /// <summary>Mean over one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>Mean over the given axes.</summary>
    public Tensor Mean(int[] axes, bool keepDim = false)
    {
        var reduce = AxisMask(axes, "Mean");
        long count = 1;
        for (int i = 0; i < Rank; i++) if (reduce[i]) count *= _shape[i];
        return Sum(axes, keepDim).Mul(count == 0 ? float.NaN : 1f / count);
    }

    /// <summary>Maximum over one axis. Backward: the gradient goes to the first maximal element.</summary>
    public Tensor Max(int axis, bool keepDim = false) => MaxWithIndex(axis, keepDim).Values;

    /// <summary>Maximum of all elements.</summary>
    public Tensor Max() => Reshape(-1).Max(0);

    /// <summary>Maximum over one axis and the index of its first occurrence.</summary>
    public MaxResult MaxWithIndex(int axis, bool keepDim = false)
    {
        int a = TensorShape.NormalizeAxis(axis, Rank, "Max");
        int red = _shape[a];
        if (red == 0) throw new ArgumentException($"Max: axis {axis} has size 0 (shape {TensorShape.Format(_shape)})");
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= _shape[i];
        for (int i = a + 1; i < Rank; i++) inner *= _shape[i];
        var x = Contiguous();
        var keepShape = (int[])_shape.Clone(); keepShape[a] = 1;
        var values = Empty(keepShape);
        var idx = new int[outer * inner];
        var xd = x.Data; int xo = x._offset; var vd = values.Data;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0; float bv = xd[xo + o * red * inner + i];
                for (int r = 1; r < red; r++)
                {
                    float v = xd[xo + (o * red + r) * inner + i];
                    if (v > bv || (float.IsNaN(v) && !float.IsNaN(bv))) { bv = v; best = r; }
                }
                vd[o * inner + i] = bv; idx[o * inner + i] = best;
            }
        if (AnyRequiresGrad(this))
        {
            var src = this; var inShape = _shape;
            values.WithGrad("max", [src], g =>
            {
                var gc = g.Contiguous(); var gd = gc.Data; int go = gc._offset;
                var full = Zeros(inShape); var fd = full.Data;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                        fd[(o * red + idx[o * inner + i]) * inner + i] = gd[go + o * inner + i];
                src.AccumulateGrad(full);
            });
        }
        var shape = keepDim ? keepShape : ReducedShape(Enumerable.Range(0, Rank).Select(i => i == a).ToArray(), false);
        return new MaxResult(keepDim ? values : values.Reshape(shape), idx);
    }

    /// <summary>Sums a (broadcast) gradient back to <paramref name="shape"/>: over leading extra dimensions and over dimensions that are 1 in <paramref name="shape"/>.</summary>
    public static Tensor SumToShape(Tensor g, int[] shape)
    {
        if (TensorShape.Equal(g._shape, shape)) return g;
        int lead = g.Rank - shape.Length;
        if (lead < 0) throw new ArgumentException($"SumToShape: gradient of shape {TensorShape.Format(g._shape)} has lower rank than target {TensorShape.Format(shape)}");
        var axes = new List<int>();
        for (int i = 0; i < g.Rank; i++)
        {
            if (i < lead) { axes.Add(i); continue; }
            int t = shape[i - lead];
            if (t == 1 && g._shape[i] != 1) axes.Add(i);
            else if (t != g._shape[i]) throw new ArgumentException($"SumToShape: gradient of shape {TensorShape.Format(g._shape)} cannot be summed to {TensorShape.Format(shape)}");
        }
        return g.Sum(axes.ToArray(), keepDim: true).Reshape(shape);
    }

    // ------------------------------------------------------------------ helpers

    private bool[] AxisMask(int[] axes, string op)
    {
        var m = new bool[Rank];
        foreach (var ax in axes)
        {
            int a = TensorShape.NormalizeAxis(ax, Rank, op);
            if (m[a]) throw new ArgumentException($"{op}: axis {ax} is given twice");
            m[a] = true;
        }
        return m;
    }

    private int[] ReducedShape(bool[] reduce, bool keepDim)
    {
        var s = new List<int>();
        for (int i = 0; i < Rank; i++) { if (!reduce[i]) s.Add(_shape[i]); else if (keepDim) s.Add(1); }
        return s.ToArray();
    }

    /// <summary>Sum over the masked axes into a new tensor of shape <paramref name="outKeep"/> (keepdim layout), no autograd.</summary>
    private Tensor SumKernel(bool[] reduce, int[] outKeep)
    {
        var x = Contiguous();
        // Group dims into alternating kept/reduced blocks (size-1 dims join anything).
        var blocks = new List<(bool red, int size)>();
        for (int i = 0; i < Rank; i++)
        {
            if (_shape[i] == 1) continue;
            if (blocks.Count > 0 && blocks[^1].red == reduce[i]) blocks[^1] = (reduce[i], blocks[^1].size * _shape[i]);
            else blocks.Add((reduce[i], _shape[i]));
        }
        var o = Empty(outKeep);
        var od = o.Data; var xd = x.Data; int xo = x._offset;
        int outer, red, inner;
        if (blocks.Count == 0) { outer = 1; red = 1; inner = 1; }
        else if (blocks.Count <= 3 && (blocks.Count < 3 || !blocks[0].red))
        {
            // Patterns: R | K | R K | K R | K R K
            int bi = 0;
            outer = !blocks[0].red ? blocks[bi++].size : 1;
            red = bi < blocks.Count && blocks[bi].red ? blocks[bi++].size : 1;
            inner = bi < blocks.Count ? blocks[bi++].size : 1;
            if (bi != blocks.Count) return PermutedSum(x, reduce, outKeep);
        }
        else return PermutedSum(x, reduce, outKeep);

        if (inner == 1)
        {
            Par.For(outer, Math.Max(1, Par.MinParallel / Math.Max(red, 1)), (s, n) =>
            {
                for (int i = s; i < s + n; i++) od[i] = TensorPrimitives.Sum(xd.AsSpan(xo + i * red, red));
            });
        }
        else
        {
            int chunkMin = Math.Max(1, Par.MinParallel / Math.Max(red * inner, 1));
            if (outer >= 2 || red * inner < Par.MinParallel)
                Par.For(outer, chunkMin, (s, n) =>
                {
                    for (int i = s; i < s + n; i++) ColumnSum(xd, xo + i * red * inner, red, inner, od.AsSpan(i * inner, inner), 0);
                });
            else
                // One outer block: split the kept (inner) axis across threads instead.
                Par.For(inner, 4096, (s, n) => ColumnSum(xd, xo + s, red, inner, od.AsSpan(s, n), 0));
        }
        return o;
    }

    private static void ColumnSum(float[] xd, int start, int red, int stride, Span<float> dst, int _)
    {
        if (red == 0) { dst.Clear(); return; }
        xd.AsSpan(start, dst.Length).CopyTo(dst);
        for (int r = 1; r < red; r++) TensorPrimitives.Add(dst, xd.AsSpan(start + r * stride, dst.Length), dst);
    }

    private Tensor PermutedSum(Tensor x, bool[] reduce, int[] outKeep)
    {
        var perm = Enumerable.Range(0, Rank).Where(i => !reduce[i]).Concat(Enumerable.Range(0, Rank).Where(i => reduce[i])).ToArray();
        Tensor p;
        using (Autograd.GradMode.NoGrad()) p = x.Permute(perm).Contiguous();
        int kept = 1, red = 1;
        for (int i = 0; i < Rank; i++) { if (reduce[i]) red *= _shape[i]; else kept *= _shape[i]; }
        var o = Empty(outKeep);
        var od = o.Data; var pd = p.Data; int po = p._offset;
        Par.For(kept, Math.Max(1, Par.MinParallel / Math.Max(red, 1)), (s, n) =>
        {
            for (int i = s; i < s + n; i++) od[i] = TensorPrimitives.Sum(pd.AsSpan(po + i * red, red));
        });
        return o;
    }

}

/// <summary>Result of <see cref="Tensor.MaxWithIndex"/>: the maxima and, per output element, the index along the reduced axis.</summary>
public sealed record MaxResult(Tensor Values, int[] Indices);
