namespace MixFlow.Tensors.Kernels;

/// <summary>
/// Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C with op(X) = X or Xᵀ.
/// PLACEHOLDER (naive triple loop) until the OpenBLAS and packed-SIMD backends land.
/// </summary>
public static class Gemm
{
    /// <summary>Describes the backend.</summary>
    public static string Describe() => "gemm: naive managed";

    internal static void OnThreadsChanged(int threads) { }

    /// <summary>C[m×n] = alpha·op(A)·op(B) + beta·C; A is m×k (or k×m when transposed), B is k×n (or n×k).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double acc = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
                    float bv = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
                    acc += av * bv;
                }
                ref float cv = ref c[cOffset + i * ldc + j];
                cv = (float)(alpha * acc + (beta == 0 ? 0 : beta * cv));
            }
    }

    /// <summary>A batch of GEMMs with fixed strides between consecutive A, B and C matrices.</summary>
    public static void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, long strideA, float[] b, int bOffset, int ldb, long strideB,
        float beta, float[] c, int cOffset, int ldc, long strideC, int batch)
    {
        for (int i = 0; i < batch; i++)
            Sgemm(transA, transB, m, n, k, alpha, a, (int)(aOffset + i * strideA), lda, b, (int)(bOffset + i * strideB), ldb, beta, c, (int)(cOffset + i * strideC), ldc);
    }
}
