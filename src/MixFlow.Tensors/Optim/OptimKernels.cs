using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MixFlow.Tensors.Optim;

/// <summary>Coefficients of one AdamW update of one parameter, in float32 as PyTorch applies them.</summary>
internal struct AdamWCoefs
{
    public bool ApplyDecay;
    public float Decay, B1, OmB1, B2, OmB2, Bc2Sqrt, Eps, NegStep;
}

/// <summary>Coefficients of one SGD update of one parameter.</summary>
internal struct SgdCoefs
{
    public bool ApplyDecay, UseMomentum, FirstStep, Nesterov;
    public float Wd, Mom, OmDamp, NegLr;
}

/// <summary>
/// Fused element-wise optimizer updates. Each lane performs the same IEEE operations in the same order as the scalar
/// tail (no fused multiply-add), so results do not depend on the vector width or on how work is split.
/// </summary>
internal static class OptimKernels
{
    internal static void AdamW(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamWCoefs c)
    {
        int n = p.Length, i = 0;
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rv = ref MemoryMarshal.GetReference(v);
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var decay = Vector512.Create(c.Decay); var b1 = Vector512.Create(c.B1); var omb1 = Vector512.Create(c.OmB1);
            var b2 = Vector512.Create(c.B2); var omb2 = Vector512.Create(c.OmB2); var bc2 = Vector512.Create(c.Bc2Sqrt);
            var eps = Vector512.Create(c.Eps); var ns = Vector512.Create(c.NegStep);
            for (; i <= n - 16; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref rp, (nuint)i);
                var gv = Vector512.LoadUnsafe(ref rg, (nuint)i);
                if (c.ApplyDecay) pv *= decay;
                var mv = Vector512.LoadUnsafe(ref rm, (nuint)i) * b1 + gv * omb1;
                var vv = Vector512.LoadUnsafe(ref rv, (nuint)i) * b2 + omb2 * gv * gv;
                var den = Vector512.Sqrt(vv) / bc2 + eps;
                pv += ns * (mv / den);
                mv.StoreUnsafe(ref rm, (nuint)i); vv.StoreUnsafe(ref rv, (nuint)i); pv.StoreUnsafe(ref rp, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var decay = Vector256.Create(c.Decay); var b1 = Vector256.Create(c.B1); var omb1 = Vector256.Create(c.OmB1);
            var b2 = Vector256.Create(c.B2); var omb2 = Vector256.Create(c.OmB2); var bc2 = Vector256.Create(c.Bc2Sqrt);
            var eps = Vector256.Create(c.Eps); var ns = Vector256.Create(c.NegStep);
            for (; i <= n - 8; i += 8)
            {
                var pv = Vector256.LoadUnsafe(ref rp, (nuint)i);
                var gv = Vector256.LoadUnsafe(ref rg, (nuint)i);
                if (c.ApplyDecay) pv *= decay;
                var mv = Vector256.LoadUnsafe(ref rm, (nuint)i) * b1 + gv * omb1;
                var vv = Vector256.LoadUnsafe(ref rv, (nuint)i) * b2 + omb2 * gv * gv;
                var den = Vector256.Sqrt(vv) / bc2 + eps;
                pv += ns * (mv / den);
                mv.StoreUnsafe(ref rm, (nuint)i); vv.StoreUnsafe(ref rv, (nuint)i); pv.StoreUnsafe(ref rp, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = p[i], gv = g[i];
            if (c.ApplyDecay) pv *= c.Decay;
            float mv = m[i] * c.B1 + gv * c.OmB1;
            float vv = v[i] * c.B2 + c.OmB2 * gv * gv;
            float den = MathF.Sqrt(vv) / c.Bc2Sqrt + c.Eps;
            pv += c.NegStep * (mv / den);
            m[i] = mv; v[i] = vv; p[i] = pv;
        }
    }

    internal static void Sgd(Span<float> p, ReadOnlySpan<float> g, Span<float> buf, in SgdCoefs c)
    {
        int n = p.Length, i = 0;
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rb = ref MemoryMarshal.GetReference(buf);
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var wd = Vector256.Create(c.Wd); var mom = Vector256.Create(c.Mom); var omd = Vector256.Create(c.OmDamp); var nl = Vector256.Create(c.NegLr);
            for (; i <= n - 8; i += 8)
            {
                var pv = Vector256.LoadUnsafe(ref rp, (nuint)i);
                var d = Vector256.LoadUnsafe(ref rg, (nuint)i);
                if (c.ApplyDecay) d += wd * pv;
                if (c.UseMomentum)
                {
                    var b = c.FirstStep ? d : Vector256.LoadUnsafe(ref rb, (nuint)i) * mom + omd * d;
                    b.StoreUnsafe(ref rb, (nuint)i);
                    d = c.Nesterov ? d + mom * b : b;
                }
                (pv + nl * d).StoreUnsafe(ref rp, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = p[i], d = g[i];
            if (c.ApplyDecay) d += c.Wd * pv;
            if (c.UseMomentum)
            {
                float b = c.FirstStep ? d : buf[i] * c.Mom + c.OmDamp * d;
                buf[i] = b;
                d = c.Nesterov ? d + c.Mom * b : b;
            }
            p[i] = pv + c.NegLr * d;
        }
    }
}
