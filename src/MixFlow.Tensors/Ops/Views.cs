using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Views: reshape, permute, transpose, slice, expand, squeeze/unsqueeze, contiguous, concat, split.
// A view shares storage; its backward maps the gradient back to the input's shape.
public sealed partial class Tensor
{
    private Tensor View(int[] shape, int[] strides, int offset)
    {
        _storage.AddRef();
        return new Tensor(_storage, shape, strides, offset);
    }

    /// <summary>A copy in row-major layout, or this tensor itself when already contiguous.</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var r = Empty(_shape);
        Strided.CopyToContiguous(this, r.Data.AsSpan(0, _numel));
        if (AnyRequiresGrad(this)) r.WithGrad("contiguous", [this], g => AccumulateGrad(g));
        return r;
    }

    /// <summary>Same elements in a new shape; one dimension may be -1 (inferred). A view when the layout allows, else a copy.</summary>
    /// <exception cref="ArgumentException">The element counts differ or more than one dimension is -1.</exception>
    public Tensor Reshape(params int[] shape)
    {
        shape = (int[])shape.Clone();
        int infer = -1; long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1) { if (infer >= 0) throw new ArgumentException($"Reshape: only one dimension may be -1 (got {TensorShape.Format(shape)})"); infer = i; }
            else if (shape[i] < 0) throw new ArgumentException($"Reshape: negative dimension in {TensorShape.Format(shape)}");
            else known *= shape[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || _numel % known != 0) throw new ArgumentException($"Reshape: cannot reshape {TensorShape.Format(_shape)} ({_numel} elements) into {TensorShape.Format(shape)}");
            shape[infer] = (int)(_numel / known);
        }
        else if (known != _numel) throw new ArgumentException($"Reshape: cannot reshape {TensorShape.Format(_shape)} ({_numel} elements) into {TensorShape.Format(shape)} ({known} elements)");
        var src = Contiguous();
        var r = src.View(shape, TensorShape.ContiguousStrides(shape), src._offset);
        if (AnyRequiresGrad(src)) { var inShape = src._shape; r.WithGrad("reshape", [src], g => src.AccumulateGrad(g.Reshape(inShape))); }
        return r;
    }

    /// <summary>Flattens dimensions <paramref name="startDim"/>..<paramref name="endDim"/> into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = TensorShape.NormalizeAxis(startDim, Rank, "Flatten"), e = TensorShape.NormalizeAxis(endDim, Rank, "Flatten");
        if (e < s) throw new ArgumentException($"Flatten: endDim {endDim} comes before startDim {startDim}");
        var shape = new List<int>();
        for (int i = 0; i < s; i++) shape.Add(_shape[i]);
        int m = 1; for (int i = s; i <= e; i++) m *= _shape[i];
        shape.Add(m);
        for (int i = e + 1; i < Rank; i++) shape.Add(_shape[i]);
        return Reshape(shape.ToArray());
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = TensorShape.NormalizeAxis(dim, Rank + 1, "Unsqueeze");
        var shape = _shape.ToList(); shape.Insert(d, 1);
        return Reshape(shape.ToArray());
    }

    /// <summary>Removes dimension <paramref name="dim"/>, which must have size 1.</summary>
    public Tensor Squeeze(int dim)
    {
        int d = TensorShape.NormalizeAxis(dim, Rank, "Squeeze");
        if (_shape[d] != 1) throw new ArgumentException($"Squeeze: dimension {dim} has size {_shape[d]}, expected 1 (shape {TensorShape.Format(_shape)})");
        var shape = _shape.ToList(); shape.RemoveAt(d);
        return Reshape(shape.ToArray());
    }

    /// <summary>Reorders the dimensions (a view): result dimension i is input dimension <paramref name="dims"/>[i].</summary>
    /// <exception cref="ArgumentException"><paramref name="dims"/> is not a permutation of 0..rank-1.</exception>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank) throw new ArgumentException($"Permute: {dims.Length} dimensions given for a tensor of rank {Rank} (shape {TensorShape.Format(_shape)})");
        var seen = new bool[Rank];
        var shape = new int[Rank]; var strides = new int[Rank]; var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = TensorShape.NormalizeAxis(dims[i], Rank, "Permute");
            if (seen[d]) throw new ArgumentException($"Permute: dimension {d} appears twice in {TensorShape.Format(dims)}");
            seen[d] = true; shape[i] = _shape[d]; strides[i] = _strides[d]; inverse[d] = i;
        }
        var r = View(shape, strides, _offset);
        if (AnyRequiresGrad(this)) r.WithGrad("permute", [this], g => AccumulateGrad(g.Permute(inverse)));
        return r;
    }

    /// <summary>Swaps two dimensions (a view).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = TensorShape.NormalizeAxis(dim0, Rank, "Transpose"), b = TensorShape.NormalizeAxis(dim1, Rank, "Transpose");
        var p = new int[Rank]; for (int i = 0; i < Rank; i++) p[i] = i;
        (p[a], p[b]) = (p[b], p[a]);
        return Permute(p);
    }

    /// <summary>The transpose of the last two dimensions (<c>x.mT</c> in PyTorch).</summary>
    public Tensor MT => Transpose(-2, -1);

    /// <summary>Elements <paramref name="start"/>..<paramref name="end"/> (exclusive) of <paramref name="dim"/> every <paramref name="step"/> (a view). Negative bounds count from the end.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Bounds outside the dimension or step below 1.</exception>
    public Tensor Slice(int dim, int start, int end, int step = 1)
    {
        int d = TensorShape.NormalizeAxis(dim, Rank, "Slice");
        int size = _shape[d];
        if (start < 0) start += size;
        if (end < 0) end += size;
        if (step < 1 || start < 0 || end > size || start > end)
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice: range [{start}, {end}) step {step} is invalid for dimension {dim} of size {size} (expected 0 <= start <= end <= size, step >= 1)");
        var shape = (int[])_shape.Clone(); var strides = (int[])_strides.Clone();
        shape[d] = (end - start + step - 1) / step;
        strides[d] = _strides[d] * step;
        var r = View(shape, strides, _offset + start * _strides[d]);
        if (AnyRequiresGrad(this))
        {
            var inShape = _shape;
            r.WithGrad("slice", [this], g =>
            {
                var full = Zeros(inShape);
                Strided.CopyInto(g, full.Slice(d, start, end, step));
                AccumulateGrad(full);
            });
        }
        return r;
    }

    /// <summary>Broadcasts size-1 dimensions to <paramref name="shape"/> without copying (stride 0).</summary>
    public Tensor Expand(params int[] shape)
    {
        var target = TensorShape.Broadcast(_shape, shape, "Expand");
        if (!TensorShape.Equal(target, shape)) throw new ArgumentException($"Expand: shape {TensorShape.Format(_shape)} cannot be expanded to {TensorShape.Format(shape)}");
        var r = View((int[])shape.Clone(), TensorShape.BroadcastStrides(_shape, _strides, shape), _offset);
        if (AnyRequiresGrad(this)) r.WithGrad("expand", [this], g => AccumulateGrad(g));
        return r;
    }

    /// <summary>Joins tensors along <paramref name="dim"/>; all other dimensions must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim)
    {
        if (tensors.Count == 0) throw new ArgumentException("Concat: at least one tensor is required");
        var first = tensors[0];
        int d = TensorShape.NormalizeAxis(dim, first.Rank, "Concat");
        var shape = first.Shape; int total = 0;
        foreach (var t in tensors)
        {
            bool ok = t.Rank == first.Rank;
            for (int i = 0; ok && i < t.Rank; i++) if (i != d && t._shape[i] != first._shape[i]) ok = false;
            if (!ok) throw new ArgumentException($"Concat: shape {TensorShape.Format(t._shape)} does not match {TensorShape.Format(first._shape)} outside dimension {d}");
            total += t._shape[d];
        }
        shape[d] = total;
        var r = Empty(shape);
        int at = 0;
        foreach (var t in tensors)
        {
            using (Autograd.GradMode.NoGrad()) Strided.CopyInto(t, r.Slice(d, at, at + t._shape[d]));
            at += t._shape[d];
        }
        var inputs = tensors.ToArray();
        if (AnyRequiresGrad(inputs))
            r.WithGrad("concat", inputs, g =>
            {
                int o = 0;
                foreach (var t in inputs)
                {
                    int n = t._shape[d];
                    if (t.RequiresGrad) t.AccumulateGrad(g.Slice(d, o, o + n));
                    o += n;
                }
            });
        return r;
    }

    /// <summary>Splits along <paramref name="dim"/> into pieces of the given sizes (views).</summary>
    public Tensor[] Split(int[] sizes, int dim)
    {
        int d = TensorShape.NormalizeAxis(dim, Rank, "Split");
        if (sizes.Sum() != _shape[d]) throw new ArgumentException($"Split: sizes {TensorShape.Format(sizes)} sum to {sizes.Sum()}, expected dimension {dim} size {_shape[d]}");
        var r = new Tensor[sizes.Length]; int at = 0;
        for (int i = 0; i < sizes.Length; i++) { r[i] = Slice(d, at, at + sizes[i]); at += sizes[i]; }
        return r;
    }

    /// <summary>Splits along <paramref name="dim"/> into <paramref name="chunks"/> equal pieces (views).</summary>
    public Tensor[] Chunk(int chunks, int dim)
    {
        int d = TensorShape.NormalizeAxis(dim, Rank, "Chunk");
        if (chunks < 1 || _shape[d] % chunks != 0) throw new ArgumentException($"Chunk: dimension {dim} of size {_shape[d]} cannot be split into {chunks} equal chunks");
        return Split(Enumerable.Repeat(_shape[d] / chunks, chunks).ToArray(), d);
    }
}
