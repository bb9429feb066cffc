using System.Numerics.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Element-wise unary ops, each forward next to its backward. Multi-pass formulas run over blocks of
// BlockLength elements with a stack temp so the passes stay in L1.
public sealed partial class Tensor
{
    private const int BlockLength = 512;

    private Tensor UnaryOp(string name, SpanMap forward, Func<Tensor, Tensor, Tensor>? gradOf)
    {
        var r = Map.Unary(this, forward);
        if (gradOf is not null && AnyRequiresGrad(this)) r.WithGrad(name, [this], g => AccumulateGrad(gradOf(g, r)));
        return r;
    }

    /// <summary>−x.</summary>
    public Tensor Neg() => UnaryOp("neg", static (x, d) => TensorPrimitives.Negate(x, d), static (g, _) => g.Neg());

    /// <summary>eˣ. Backward: g·y.</summary>
    public Tensor Exp() => UnaryOp("exp", static (x, d) => TensorPrimitives.Exp(x, d), static (g, y) => Mul(g, y));

    /// <summary>Natural logarithm. Backward: g/x.</summary>
    public Tensor Log() { var x = this; return UnaryOp("log", static (x, d) => TensorPrimitives.Log(x, d), (g, _) => Div(g, x)); }

    /// <summary>√x. Backward: g/(2y).</summary>
    public Tensor Sqrt() => UnaryOp("sqrt", static (x, d) => TensorPrimitives.Sqrt(x, d),
        static (g, y) => Map.Binary(g, y, static (g, y, d) => { TensorPrimitives.Divide(g, y, d); TensorPrimitives.Multiply(d, 0.5f, d); }));

    /// <summary>1/√x. Backward: −g·y³/2.</summary>
    public Tensor Rsqrt() => UnaryOp("rsqrt", static (x, d) => { TensorPrimitives.Sqrt(x, d); TensorPrimitives.Reciprocal(d, d); },
        static (g, y) => Map.Binary(g, y, static (g, y, d) => { TensorPrimitives.Multiply(y, y, d); TensorPrimitives.Multiply(d, y, d); TensorPrimitives.Multiply(d, g, d); TensorPrimitives.Multiply(d, -0.5f, d); }));

    /// <summary>x². Backward: 2gx.</summary>
    public Tensor Square() { var x = this; return UnaryOp("square", static (x, d) => TensorPrimitives.Multiply(x, x, d), (g, _) => Map.Binary(g, x, static (g, x, d) => { TensorPrimitives.Multiply(g, x, d); TensorPrimitives.Multiply(d, 2f, d); })); }

    /// <summary>xᵖ. Backward: g·p·xᵖ⁻¹.</summary>
    public Tensor Pow(float p)
    {
        var x = this;
        return UnaryOp("pow", (x, d) => TensorPrimitives.Pow(x, p, d),
            (g, _) => Map.Binary(g, x, (g, x, d) => { TensorPrimitives.Pow(x, p - 1f, d); TensorPrimitives.Multiply(d, g, d); TensorPrimitives.Multiply(d, p, d); }));
    }

    /// <summary>|x|. Backward: g·sign(x) (0 at 0, as PyTorch).</summary>
    public Tensor Abs()
    {
        var x = this;
        return UnaryOp("abs", static (x, d) => TensorPrimitives.Abs(x, d),
            (g, _) => Map.Binary(g, x, static (g, x, d) => { for (int i = 0; i < d.Length; i++) d[i] = x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0f; }));
    }

    /// <summary>Clamps to [min, max]. Backward: g where min ≤ x ≤ max, else 0.</summary>
    public Tensor Clamp(float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        if (min > max) throw new ArgumentException($"Clamp: min ({min}) must not exceed max ({max})");
        var x = this;
        return UnaryOp("clamp", (x, d) => { TensorPrimitives.Max(x, min, d); TensorPrimitives.Min(d, max, d); },
            (g, _) => Map.Binary(g, x, (g, x, d) => { for (int i = 0; i < d.Length; i++) d[i] = x[i] >= min && x[i] <= max ? g[i] : 0f; }));
    }

    /// <summary>sin x. Backward: g·cos x.</summary>
    public Tensor Sin() { var x = this; return UnaryOp("sin", static (x, d) => TensorPrimitives.Sin(x, d), (g, _) => Map.Binary(g, x, static (g, x, d) => { TensorPrimitives.Cos(x, d); TensorPrimitives.Multiply(d, g, d); })); }

    /// <summary>cos x. Backward: −g·sin x.</summary>
    public Tensor Cos() { var x = this; return UnaryOp("cos", static (x, d) => TensorPrimitives.Cos(x, d), (g, _) => Map.Binary(g, x, static (g, x, d) => { TensorPrimitives.Sin(x, d); TensorPrimitives.Multiply(d, g, d); TensorPrimitives.Negate(d, d); })); }

    /// <summary>tanh x. Backward: g·(1 − y²).</summary>
    public Tensor Tanh() => UnaryOp("tanh", static (x, d) => TensorPrimitives.Tanh(x, d),
        static (g, y) => Map.Binary(g, y, static (g, y, d) => { TensorPrimitives.Multiply(y, y, d); TensorPrimitives.Subtract(1f, d, d); TensorPrimitives.Multiply(d, g, d); }));

    /// <summary>Logistic sigmoid. Backward: g·y·(1 − y).</summary>
    public Tensor Sigmoid() => UnaryOp("sigmoid", static (x, d) => TensorPrimitives.Sigmoid(x, d),
        static (g, y) => Map.Binary(g, y, static (g, y, d) => { TensorPrimitives.Subtract(1f, y, d); TensorPrimitives.Multiply(d, y, d); TensorPrimitives.Multiply(d, g, d); }));

    /// <summary>ReLU max(x, 0). Backward: g where x &gt; 0.</summary>
    public Tensor Relu()
    {
        var x = this;
        return UnaryOp("relu", static (x, d) => TensorPrimitives.Max(x, 0f, d),
            (g, _) => Map.Binary(g, x, static (g, x, d) => { for (int i = 0; i < d.Length; i++) d[i] = x[i] > 0 ? g[i] : 0f; }));
    }

    /// <summary>SiLU x·σ(x). Backward: g·σ·(1 + x·(1 − σ)).</summary>
    public Tensor Silu()
    {
        var x = this;
        return UnaryOp("silu", static (x, d) => { TensorPrimitives.Sigmoid(x, d); TensorPrimitives.Multiply(d, x, d); },
            (g, _) => Map.Binary(g, x, static (g, x, d) =>
            {
                Span<float> t = stackalloc float[BlockLength];
                for (int s = 0; s < d.Length; s += BlockLength)
                {
                    int n = Math.Min(BlockLength, d.Length - s);
                    var xs = x.Slice(s, n); var ds = d.Slice(s, n); var ts = t[..n];
                    TensorPrimitives.Sigmoid(xs, ts);             // σ
                    TensorPrimitives.Subtract(1f, ts, ds);        // 1 − σ
                    TensorPrimitives.MultiplyAdd(ds, xs, 1f, ds); // 1 + x(1 − σ)
                    TensorPrimitives.Multiply(ds, ts, ds);        // σ(1 + x(1 − σ))
                    TensorPrimitives.Multiply(ds, g.Slice(s, n), ds);
                }
            }));
    }

    private const float GeluC = 0.7978845608028654f; // √(2/π)
    private const float GeluA = 0.044715f;

    /// <summary>
    /// GELU, exact (x·Φ(x)) by default or with the tanh approximation
    /// 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) used by DiT/SiT (PyTorch's approximate="tanh").
    /// </summary>
    public Tensor Gelu(bool approximateTanh = false) => approximateTanh ? GeluTanh() : GeluExact();

    private Tensor GeluExact()
    {
        var x = this;
        return UnaryOp("gelu", static (x, d) => { for (int i = 0; i < d.Length; i++) d[i] = (float)(x[i] * SpecialFunctions.NormalCdf(x[i])); },
            (g, _) => Map.Binary(g, x, static (g, x, d) =>
            {
                for (int i = 0; i < d.Length; i++) d[i] = (float)(g[i] * (SpecialFunctions.NormalCdf(x[i]) + x[i] * SpecialFunctions.NormalPdf(x[i])));
            }));
    }

    private Tensor GeluTanh()
    {
        // One fused pass each way: 0.5·x·(1 + tanh u) = x·σ(2u), u = c(x + a x³); backward
        // dy/dx = s + 2x·s(1 − s)·c(1 + 3a x²), s = σ(2u). The gradient buffer is fresh, so it is adopted, not copied.
        var x = Contiguous();
        var r = Empty(x._shape);
        Map.Run(x.Data, x._offset, r.Data, 0, x.Numel, static (xs, ds) => GeluTanhKernels.Forward(xs, ds));
        if (AnyRequiresGrad(this))
        {
            var src = this;
            r.WithGrad("gelu_tanh", [this], g =>
            {
                g = g.Contiguous();
                var dx = Empty(x._shape);
                Map.Run(g.Data, g._offset, x.Data, x._offset, dx.Data, 0, x.Numel, static (gs, xs, ds) => GeluTanhKernels.Backward(gs, xs, ds));
                src.AdoptOrAccumulateGrad(dx);
            });
        }
        return r;
    }
}
