namespace MixFlow.Tensors.Nn;

/// <summary>
/// A lookup table (PyTorch's <c>nn.Embedding</c>): parameter <c>weight</c> [num, dim] initialised N(0, 1);
/// row i is the vector of index i.
/// </summary>
public sealed class Embedding : Module<int[], Tensor>
{
    /// <summary>Creates the table.</summary>
    /// <param name="num">Number of rows (indices 0..num-1).</param>
    /// <param name="dim">Vector size.</param>
    /// <param name="gen">Source of the initial values.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public Embedding(int num, int dim, Generator gen)
    {
        if (num < 1 || dim < 1) throw new ArgumentOutOfRangeException(nameof(num), $"Embedding: sizes must be >= 1 (got num {num}, dim {dim})");
        Num = num; Dim = dim;
        Weight = RegisterParameter("weight", Tensor.Empty(num, dim));
        Init.Normal(Weight, 1f, gen);
    }

    /// <summary>Number of rows.</summary>
    public int Num { get; }

    /// <summary>Vector size.</summary>
    public int Dim { get; }

    /// <summary>The table [num, dim].</summary>
    public Tensor Weight { get; }

    /// <summary>Indices (length B) → vectors [B, dim].</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, num).</exception>
    public override Tensor Forward(int[] input)
    {
        for (int i = 0; i < input.Length; i++)
            if ((uint)input[i] >= (uint)Num)
                throw new ArgumentOutOfRangeException(nameof(input), $"Embedding: index {input[i]} at position {i} is outside [0, {Num})");
        return Tensor.Embedding(Weight, input);
    }
}
