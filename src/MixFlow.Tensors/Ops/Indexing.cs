using System.Numerics.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Integer indexing: Embedding (rows of a table), IndexSelect (slices along one dim) and Gather (PyTorch gather).
// Forward copies; backward scatter-adds into the source gradient in index order (deterministic, repeated indices sum).
// Every index is range-checked up front, and the error names the op, the position, the index and the size.
public sealed partial class Tensor
{
    /// <summary>Looks up rows of <paramref name="weight"/> [V, D]: the result is [indices.Length, D].</summary>
    /// <exception cref="ArgumentException">weight is not rank 2, or an index is outside [0, V).</exception>
    public static Tensor Embedding(Tensor weight, int[] indices) => Embedding(weight, indices, [indices.Length]);

    /// <summary>Looks up rows of <paramref name="weight"/> [V, D] for indices laid out in <paramref name="shape"/>: the result is [..shape, D].</summary>
    /// <exception cref="ArgumentException">weight is not rank 2, the shape does not hold indices.Length elements, or an index is outside [0, V).</exception>
    public static Tensor Embedding(Tensor weight, int[] indices, int[] shape)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"Embedding: weight of shape {TensorShape.Format(weight._shape)} must have rank 2 [V, D]");
        if (TensorShape.Numel(shape) != indices.Length)
            throw new ArgumentException($"Embedding: {indices.Length} indices cannot fill shape {TensorShape.Format(shape)} ({TensorShape.Numel(shape)} expected)");
        int vocab = weight._shape[0], d = weight._shape[1];
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)vocab)
                throw new ArgumentException($"Embedding: index {indices[i]} at position {i} is out of range for a table of {vocab} rows (weight {TensorShape.Format(weight._shape)}; expected 0 <= index < {vocab})");
        indices = (int[])indices.Clone(); // the backward reads them later
        var w = weight.Contiguous();
        var outShape = new int[shape.Length + 1];
        shape.CopyTo(outShape, 0); outShape[^1] = d;
        var r = Empty(outShape);
        float[] wd = w.Data, rd = r.Data; int wo = w._offset;
        Par.For(indices.Length, RowsPerChunk(d), (s, len) =>
        {
            for (int i = s; i < s + len; i++) wd.AsSpan(wo + indices[i] * d, d).CopyTo(rd.AsSpan(i * d, d));
        });
        if (AnyRequiresGrad(w))
        {
            r.WithGrad("embedding", [w], g =>
            {
                g = g.Contiguous();
                var t = w.GradTarget(out float beta);
                if (beta == 0f) t.AsSpan().Clear();
                float[] gd = g.Data, td = t.Data; int go = g._offset, to = t._offset;
                for (int i = 0; i < indices.Length; i++)
                {
                    var dst = td.AsSpan(to + indices[i] * d, d);
                    TensorPrimitives.Add(dst, gd.AsSpan(go + i * d, d), dst);
                }
            });
        }
        return r;
    }

    /// <summary>
    /// The slices at <paramref name="indices"/> along <paramref name="dim"/> (PyTorch's <c>index_select</c>); the result
    /// has size indices.Length along <paramref name="dim"/>. Repeated indices are allowed (their gradients add up).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The dim is out of range.</exception>
    /// <exception cref="ArgumentException">An index is outside [0, size of <paramref name="dim"/>).</exception>
    public Tensor IndexSelect(int dim, int[] indices)
    {
        if (Rank == 0) throw new ArgumentException("IndexSelect: expected a tensor of rank >= 1, got a scalar (shape [])");
        int a = TensorShape.NormalizeAxis(dim, Rank, "IndexSelect");
        int n = _shape[a];
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)n)
                throw new ArgumentException($"IndexSelect: index {indices[i]} at position {i} is out of range for dimension {a} of size {n} (shape {TensorShape.Format(_shape)}; expected 0 <= index < {n})");
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= _shape[i];
        for (int i = a + 1; i < Rank; i++) inner *= _shape[i];
        indices = (int[])indices.Clone(); // the backward reads them later
        var x = Contiguous();
        var outShape = (int[])_shape.Clone(); outShape[a] = indices.Length;
        var r = Empty(outShape);
        int m = indices.Length;
        float[] xd = x.Data, rd = r.Data; int xo = x._offset;
        Par.For(outer * m, RowsPerChunk(inner), (s, len) =>
        {
            for (int row = s; row < s + len; row++)
            {
                int o = row / m, j = row % m;
                xd.AsSpan(xo + (o * n + indices[j]) * inner, inner).CopyTo(rd.AsSpan(row * inner, inner));
            }
        });
        if (AnyRequiresGrad(x))
        {
            r.WithGrad("index_select", [x], g =>
            {
                g = g.Contiguous();
                var t = x.GradTarget(out float beta);
                if (beta == 0f) t.AsSpan().Clear();
                float[] gd = g.Data, td = t.Data; int go = g._offset, to = t._offset;
                // Parallel over the outer blocks (disjoint destinations); index order within a block.
                Par.For(outer, RowsPerChunk(m * inner), (s, len) =>
                {
                    for (int o = s; o < s + len; o++)
                        for (int j = 0; j < m; j++)
                        {
                            var dst = td.AsSpan(to + (o * n + indices[j]) * inner, inner);
                            TensorPrimitives.Add(dst, gd.AsSpan(go + (o * m + j) * inner, inner), dst);
                        }
                });
            });
        }
        return r;
    }

    /// <summary>
    /// PyTorch's <c>torch.gather(x, dim, index)</c>: out[i₀…iₙ] = x[i₀…index[i₀…iₙ]…iₙ] with the index at position
    /// <paramref name="dim"/>. The index tensor is given as row-major values <paramref name="index"/> of shape
    /// <paramref name="indexShape"/> (same rank as x, and no larger than x in every dimension but <paramref name="dim"/>);
    /// the result has shape <paramref name="indexShape"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The dim is out of range.</exception>
    /// <exception cref="ArgumentException">The index shape has another rank, exceeds x in a dimension other than
    /// <paramref name="dim"/>, does not hold index.Length values, or an index is outside [0, size of <paramref name="dim"/>).</exception>
    public Tensor Gather(int dim, int[] index, int[] indexShape)
    {
        if (Rank == 0) throw new ArgumentException("Gather: expected a tensor of rank >= 1, got a scalar (shape [])");
        int a = TensorShape.NormalizeAxis(dim, Rank, "Gather");
        if (indexShape.Length != Rank)
            throw new ArgumentException($"Gather: index shape {TensorShape.Format(indexShape)} has rank {indexShape.Length}, expected the rank of the input {TensorShape.Format(_shape)} ({Rank})");
        for (int i = 0; i < Rank; i++)
            if (i != a && indexShape[i] > _shape[i])
                throw new ArgumentException($"Gather: index shape {TensorShape.Format(indexShape)} exceeds the input {TensorShape.Format(_shape)} in dimension {i} (expected <= {_shape[i]} in every dimension but {a})");
        int count = TensorShape.Numel(indexShape);
        if (count != index.Length)
            throw new ArgumentException($"Gather: {index.Length} index values cannot fill index shape {TensorShape.Format(indexShape)} ({count} expected)");
        int n = _shape[a];
        for (int i = 0; i < index.Length; i++)
            if ((uint)index[i] >= (uint)n)
                throw new ArgumentException($"Gather: index {index[i]} at position {i} is out of range for dimension {a} of size {n} (input {TensorShape.Format(_shape)}; expected 0 <= index < {n})");

        var x = Contiguous();
        var xs = x._strides;
        // Source offset (relative to x's start) of every output element.
        var src = new int[count];
        Span<int> idx = stackalloc int[Rank];
        idx.Clear();
        for (int e = 0; e < count; e++)
        {
            int off = 0;
            for (int i = 0; i < Rank; i++) off += (i == a ? index[e] : idx[i]) * xs[i];
            src[e] = off;
            for (int i = Rank - 1; i >= 0; i--) { if (++idx[i] < indexShape[i]) break; idx[i] = 0; }
        }
        var r = Empty(indexShape);
        float[] xd = x.Data, rd = r.Data; int xo = x._offset;
        for (int e = 0; e < count; e++) rd[e] = xd[xo + src[e]];
        if (AnyRequiresGrad(x))
        {
            r.WithGrad("gather", [x], g =>
            {
                g = g.Contiguous();
                var t = x.GradTarget(out float beta);
                if (beta == 0f) t.AsSpan().Clear();
                float[] gd = g.Data, td = t.Data; int go = g._offset, to = t._offset;
                for (int e = 0; e < count; e++) td[to + src[e]] += gd[go + e];
            });
        }
        return r;
    }
}
