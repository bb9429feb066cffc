using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Element-wise selection with broadcasting: Where(condition, a, b) and MaskedFill(mask, value).
// A condition/mask element is true when it is non-zero (NaN counts as true). Gradients flow only to the selected
// operand; the condition gets none.
public sealed partial class Tensor
{
    /// <summary>
    /// condition ≠ 0 ? a : b element-wise, with the three operands broadcast to one shape (PyTorch's <c>torch.where</c>).
    /// Backward: a receives the gradient where the condition is true, b where it is false; the condition receives none.
    /// </summary>
    /// <exception cref="ArgumentException">The three shapes cannot be broadcast together.</exception>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        var shape = SelectShape("Where", condition, a, b, "condition", "a", "b");
        var r = Select(condition, a, b, shape);
        if (AnyRequiresGrad(a, b))
            r.WithGrad("where", [a, b], g =>
            {
                using var zero = Scalar(0f);
                if (a.RequiresGrad) a.AccumulateGrad(Select(condition, g, zero, r._shape));
                if (b.RequiresGrad) b.AccumulateGrad(Select(condition, zero, g, r._shape));
            });
        return r;
    }

    /// <summary>
    /// mask ≠ 0 ? value : this, element-wise, with the mask and this tensor broadcast to one shape (PyTorch's
    /// <c>masked_fill</c>). Backward: the gradient passes where the mask is false and is zero where it filled.
    /// </summary>
    /// <exception cref="ArgumentException">The mask's shape does not broadcast with this tensor's shape.</exception>
    public Tensor MaskedFill(Tensor mask, float value)
    {
        var fill = Scalar(value);
        var shape = SelectShape("MaskedFill", mask, fill, this, "mask", "value", "input");
        var r = Select(mask, fill, this, shape);
        fill.Dispose();
        if (AnyRequiresGrad(this))
        {
            var x = this;
            r.WithGrad("masked_fill", [x], g =>
            {
                using var zero = Scalar(0f);
                x.AccumulateGrad(Select(mask, zero, g, r._shape));
            });
        }
        return r;
    }

    private static int[] SelectShape(string op, Tensor c, Tensor a, Tensor b, string cn, string an, string bn)
    {
        try { return TensorShape.Broadcast(TensorShape.Broadcast(c._shape, a._shape, op), b._shape, op); }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"{op}: {cn} {TensorShape.Format(c._shape)}, {an} {TensorShape.Format(a._shape)} and {bn} {TensorShape.Format(b._shape)} cannot be broadcast to one shape (expected each dimension equal or 1)", ex);
        }
    }

    /// <summary>A new contiguous tensor of <paramref name="shape"/>: c ≠ 0 ? a : b with every operand broadcast (stride 0).</summary>
    private static Tensor Select(Tensor c, Tensor a, Tensor b, int[] shape)
    {
        var r = Empty(shape);
        int n = r.Numel;
        if (n == 0) return r;
        int rank = shape.Length;
        var sc = TensorShape.BroadcastStrides(c._shape, c._strides, shape);
        var sa = TensorShape.BroadcastStrides(a._shape, a._strides, shape);
        var sb = TensorShape.BroadcastStrides(b._shape, b._strides, shape);
        float[] cd = c.Data, ad = a.Data, bd = b.Data, rd = r.Data;
        int co = c._offset, ao = a._offset, bo = b._offset;
        if (rank == 0) { rd[0] = cd[co] != 0f ? ad[ao] : bd[bo]; return r; }
        int inner = shape[rank - 1], outer = n / inner;
        int ic = sc[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
        Par.For(outer, Math.Max(1, Par.MinParallel / 2 / inner), (o0, no) =>
        {
            for (int o = o0; o < o0 + no; o++)
            {
                int oc = co, oa = ao, ob = bo, rem = o;
                for (int k = rank - 2; k >= 0; k--)
                {
                    int ix = rem % shape[k]; rem /= shape[k];
                    oc += ix * sc[k]; oa += ix * sa[k]; ob += ix * sb[k];
                }
                int dst = o * inner;
                for (int j = 0; j < inner; j++)
                    rd[dst + j] = cd[oc + j * ic] != 0f ? ad[oa + j * ia] : bd[ob + j * ib];
            }
        });
        return r;
    }
}
