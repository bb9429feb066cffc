using System.Runtime.Intrinsics;

namespace MixFlow.Tensors.Kernels;

/// <summary>
/// Single-pass SIMD kernels of GELU with the tanh approximation, written through the logistic function:
/// 0.5·x·(1 + tanh u) = x·σ(2u) with u = c·(x + a·x³), c = √(2/π), a = 0.044715. Backward:
/// dy/dx = s + 2·x·s·(1 − s)·c·(1 + 3a·x²) with s = σ(2u). Vector512, else Vector256, then a scalar tail.
/// </summary>
internal static class GeluTanhKernels
{
    private const float C = 0.7978845608028654f; // √(2/π)
    private const float A = 0.044715f;

    /// <summary>d = gelu_tanh(x); equal lengths.</summary>
    internal static void Forward(ReadOnlySpan<float> x, Span<float> d)
    {
        int n = x.Length, i = 0;
        ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref float dr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated)
        {
            var m2c = Vector512.Create(-2f * C); var ac = Vector512.Create(A); var one = Vector512<float>.One;
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                var z = m2c * v * (one + ac * v * v);                       // −2u
                (v / (one + Vector512.Exp(z))).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var m2c = Vector256.Create(-2f * C); var ac = Vector256.Create(A); var one = Vector256<float>.One;
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var z = m2c * v * (one + ac * v * v);
                (v / (one + Vector256.Exp(z))).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = x[i];
            d[i] = v / (1f + MathF.Exp(-2f * C * v * (1f + A * v * v)));
        }
    }

    /// <summary>d = g·gelu_tanh'(x); equal lengths.</summary>
    internal static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> d)
    {
        int n = x.Length, i = 0;
        ref float gr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(g);
        ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref float dr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated)
        {
            var m2c = Vector512.Create(-2f * C); var ac = Vector512.Create(A); var a3 = Vector512.Create(3f * A);
            var c2 = Vector512.Create(2f * C); var one = Vector512<float>.One;
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                var v2 = v * v;
                var s = one / (one + Vector512.Exp(m2c * v * (one + ac * v2)));
                var dv = s + c2 * v * s * (one - s) * (one + a3 * v2);
                (dv * Vector512.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var m2c = Vector256.Create(-2f * C); var ac = Vector256.Create(A); var a3 = Vector256.Create(3f * A);
            var c2 = Vector256.Create(2f * C); var one = Vector256<float>.One;
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var v2 = v * v;
                var s = one / (one + Vector256.Exp(m2c * v * (one + ac * v2)));
                var dv = s + c2 * v * s * (one - s) * (one + a3 * v2);
                (dv * Vector256.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = x[i], v2 = v * v;
            float s = 1f / (1f + MathF.Exp(-2f * C * v * (1f + A * v2)));
            d[i] = g[i] * (s + 2f * C * v * s * (1f - s) * (1f + 3f * A * v2));
        }
    }
}
