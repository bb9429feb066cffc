namespace MixFlow.Tensors.IO;

/// <summary>One entry of a safetensors header: name, element type, shape and byte range in the data buffer.</summary>
/// <param name="Name">Tensor name (e.g. <c>blocks.0.attn.qkv.weight</c>).</param>
/// <param name="DType">Stored element type.</param>
/// <param name="Shape">Dimensions (empty for a rank-0 tensor).</param>
/// <param name="Begin">Start offset in bytes, relative to the first byte after the header.</param>
/// <param name="End">End offset (exclusive) in bytes, relative to the first byte after the header.</param>
public sealed record TensorInfo(string Name, SafeTensorsDType DType, IReadOnlyList<int> Shape, long Begin, long End)
{
    /// <summary>Number of elements (1 for rank 0, 0 when a dimension is 0).</summary>
    public int Numel
    {
        get { long n = 1; foreach (var d in Shape) n *= d; return (int)n; }
    }

    /// <summary>Stored size in bytes (<see cref="End"/> − <see cref="Begin"/>).</summary>
    public long ByteLength => End - Begin;
}
