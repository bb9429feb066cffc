namespace MixFlow.Tensors.Kernels;

/// <summary>The implementation behind <see cref="Gemm.Sgemm"/>.</summary>
public enum GemmBackend
{
    /// <summary>The packed, register-blocked SIMD GEMM written in C# (Vector512, Vector256 or scalar micro-kernel).</summary>
    Managed,

    /// <summary>OpenBLAS's <c>cblas_sgemm</c> from <c>libopenblas.so.0</c>, loaded at run time.</summary>
    OpenBlas,
}
