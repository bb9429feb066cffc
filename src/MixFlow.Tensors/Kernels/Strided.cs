namespace MixFlow.Tensors.Kernels;

/// <summary>Copies between strided views and contiguous buffers (the work behind Contiguous(), ToArray() and slice scatters).</summary>
internal static class Strided
{
    /// <summary>Copies the elements of <paramref name="src"/> in row-major order into <paramref name="dst"/>.</summary>
    internal static void CopyToContiguous(Tensor src, Span<float> dst)
    {
        if (src.IsContiguous) { src.Data.AsSpan(src._offset, src.Numel).CopyTo(dst); return; }
        var contiguousStrides = TensorShape.ContiguousStrides(src._shape);
        Copy(src.Data, src._offset, src._strides, dst, 0, contiguousStrides, src._shape);
    }

    /// <summary>Copies <paramref name="src"/> into the (possibly strided) view <paramref name="dst"/> of the same shape.</summary>
    internal static void CopyInto(Tensor src, Tensor dst)
    {
        if (!TensorShape.Equal(src._shape, dst._shape))
            throw new ArgumentException($"copy: source shape {TensorShape.Format(src._shape)} does not match destination shape {TensorShape.Format(dst._shape)}");
        Copy(src.Data, src._offset, src._strides, dst.Data, dst._offset, dst._strides, src._shape);
    }

    /// <summary>Strided copy over an n-d index space; the innermost dimension runs as a tight loop (or a block copy when both sides are unit-stride).</summary>
    internal static void Copy(ReadOnlySpan<float> s, int so, int[] ss, Span<float> d, int dOff, int[] ds, int[] shape)
    {
        int rank = shape.Length;
        int n = TensorShape.Numel(shape);
        if (n == 0) return;
        if (rank == 0) { d[dOff] = s[so]; return; }
        int inner = shape[rank - 1], si = ss[rank - 1], di = ds[rank - 1];
        int outer = n / inner;
        Span<int> idx = stackalloc int[rank];
        idx.Clear();
        for (int o = 0; o < outer; o++)
        {
            int sOff = so, dd = dOff;
            for (int k = 0; k < rank - 1; k++) { sOff += idx[k] * ss[k]; dd += idx[k] * ds[k]; }
            if (si == 1 && di == 1) s.Slice(sOff, inner).CopyTo(d.Slice(dd, inner));
            else if (si == 0) d.Slice(dd, inner).Fill(s[sOff]);
            else for (int j = 0; j < inner; j++) d[dd + j * di] = s[sOff + j * si];
            for (int k = rank - 2; k >= 0; k--) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
        }
    }
}
