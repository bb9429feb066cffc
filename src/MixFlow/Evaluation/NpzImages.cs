using MixFlow.Tensors;

namespace MixFlow.Evaluation;

/// <summary>Images read from a sample archive.</summary>
/// <param name="Images">Images [N, C, H, W] in [−1, 1] (the caller owns the tensor).</param>
/// <param name="Labels">Labels (from <c>arr_1</c>), or null.</param>
public sealed record NpzImages(Tensor Images, int[]? Labels);
