namespace MixFlow.Data;

/// <summary>An unsigned-byte IDX array (the MNIST file format): dimensions and C-order data.</summary>
/// <param name="Dims">Dimensions, e.g. [60000, 28, 28] for images or [60000] for labels.</param>
/// <param name="Data">The bytes, prod(Dims) of them.</param>
public sealed record IdxArray(int[] Dims, byte[] Data);
