using System.Numerics.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Add, Sub, Mul, Div (with NumPy broadcasting), their scalar forms, Maximum/Minimum and operators.
// Backward: gradients are formed at the broadcast shape; AccumulateGrad sums them back to each input's shape.
public sealed partial class Tensor
{
    /// <summary>a + b with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var r = Broadcast.Run<AddOp>(a, b, "Add");
        if (AnyRequiresGrad(a, b))
            r.WithGrad("add", [a, b], g => { if (a.RequiresGrad) a.AccumulateGrad(g); if (b.RequiresGrad) b.AccumulateGrad(g); });
        return r;
    }

    /// <summary>a − b with broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var r = Broadcast.Run<SubOp>(a, b, "Sub");
        if (AnyRequiresGrad(a, b))
            r.WithGrad("sub", [a, b], g => { if (a.RequiresGrad) a.AccumulateGrad(g); if (b.RequiresGrad) b.AccumulateGrad(g.Neg()); });
        return r;
    }

    /// <summary>a · b (element-wise) with broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var r = Broadcast.Run<MulOp>(a, b, "Mul");
        if (AnyRequiresGrad(a, b))
            r.WithGrad("mul", [a, b], g =>
            {
                if (a.RequiresGrad) a.AccumulateGrad(Broadcast.Run<MulOp>(g, b, "mul backward"));
                if (b.RequiresGrad) b.AccumulateGrad(Broadcast.Run<MulOp>(g, a, "mul backward"));
            });
        return r;
    }

    /// <summary>a / b (element-wise) with broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var r = Broadcast.Run<DivOp>(a, b, "Div");
        if (AnyRequiresGrad(a, b))
            r.WithGrad("div", [a, b], g =>
            {
                var gOverB = Broadcast.Run<DivOp>(g, b, "div backward");
                if (a.RequiresGrad) a.AccumulateGrad(gOverB);
                // d(a/b)/db = −a/b² = −(a/b)/b, so gb = −(g/b)·(a/b) = −gOverB·r
                if (b.RequiresGrad) b.AccumulateGrad(Map.Binary(gOverB, r, static (x, y, d) => { TensorPrimitives.Multiply(x, y, d); TensorPrimitives.Negate(d, d); }));
            });
        return r;
    }

    /// <summary>Element-wise maximum with broadcasting (the gradient goes to a where a ≥ b, else to b).</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => MinMax<MaxOp>(a, b, "maximum", static (x, y) => x >= y);

    /// <summary>Element-wise minimum with broadcasting (the gradient goes to a where a ≤ b, else to b).</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => MinMax<MinOp>(a, b, "minimum", static (x, y) => x <= y);

    private static Tensor MinMax<TOp>(Tensor a, Tensor b, string name, Func<float, float, bool> pickA) where TOp : IBinaryOp
    {
        var r = Broadcast.Run<TOp>(a, b, name);
        if (AnyRequiresGrad(a, b))
            r.WithGrad(name, [a, b], g =>
            {
                var ae = a.Expand(r._shape).Contiguous().ToArray(); var be = b.Expand(r._shape).Contiguous().ToArray();
                var gc = g.Contiguous().ToArray();
                var ga = Empty(r._shape); var gb = Empty(r._shape);
                var gas = ga.AsSpan(); var gbs = gb.AsSpan();
                for (int i = 0; i < gc.Length; i++)
                {
                    bool ta = pickA(ae[i], be[i]);
                    gas[i] = ta ? gc[i] : 0; gbs[i] = ta ? 0 : gc[i];
                }
                if (a.RequiresGrad) a.AccumulateGrad(ga);
                if (b.RequiresGrad) b.AccumulateGrad(gb);
            });
        return r;
    }


    /// <summary>x + s.</summary>
    public Tensor Add(float s)
    {
        var r = Map.Unary(this, (x, d) => TensorPrimitives.Add(x, s, d));
        if (AnyRequiresGrad(this)) r.WithGrad("add_scalar", [this], g => AccumulateGrad(g));
        return r;
    }

    /// <summary>x · s.</summary>
    public Tensor Mul(float s)
    {
        var r = Map.Unary(this, (x, d) => TensorPrimitives.Multiply(x, s, d));
        if (AnyRequiresGrad(this)) r.WithGrad("mul_scalar", [this], g => AccumulateGrad(g.Mul(s)));
        return r;
    }

    /// <summary>x − s.</summary>
    public Tensor Sub(float s) => Add(-s);

    /// <summary>x / s.</summary>
    public Tensor Div(float s) => Mul(1f / s);

    /// <summary>s − x.</summary>
    public Tensor RSub(float s)
    {
        var r = Map.Unary(this, (x, d) => TensorPrimitives.Subtract(s, x, d));
        if (AnyRequiresGrad(this)) r.WithGrad("rsub_scalar", [this], g => AccumulateGrad(g.Neg()));
        return r;
    }

    /// <summary>Instance form of <see cref="Add(Tensor, Tensor)"/>.</summary>
    public Tensor Add(Tensor other) => Add(this, other);
    /// <summary>Instance form of <see cref="Sub(Tensor, Tensor)"/>.</summary>
    public Tensor Sub(Tensor other) => Sub(this, other);
    /// <summary>Instance form of <see cref="Mul(Tensor, Tensor)"/>.</summary>
    public Tensor Mul(Tensor other) => Mul(this, other);
    /// <summary>Instance form of <see cref="Div(Tensor, Tensor)"/>.</summary>
    public Tensor Div(Tensor other) => Div(this, other);

    /// <summary>a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    /// <summary>a − b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    /// <summary>a · b element-wise.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    /// <summary>a / b element-wise.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, float s) => a.Add(s);
    /// <summary>s + a.</summary>
    public static Tensor operator +(float s, Tensor a) => a.Add(s);
    /// <summary>a − s.</summary>
    public static Tensor operator -(Tensor a, float s) => a.Add(-s);
    /// <summary>s − a.</summary>
    public static Tensor operator -(float s, Tensor a) => a.RSub(s);
    /// <summary>a · s.</summary>
    public static Tensor operator *(Tensor a, float s) => a.Mul(s);
    /// <summary>s · a.</summary>
    public static Tensor operator *(float s, Tensor a) => a.Mul(s);
    /// <summary>a / s.</summary>
    public static Tensor operator /(Tensor a, float s) => a.Mul(1f / s);
    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
}
