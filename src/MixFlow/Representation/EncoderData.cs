using MixFlow.Data;
using MixFlow.Tensors;

namespace MixFlow.Representation;

/// <summary>Reading image batches of a data set for the encoder/decoder tools of this namespace.</summary>
internal static class EncoderData
{
    /// <summary>Throws unless the data set's samples have the encoder's input shape.</summary>
    internal static void CheckShape(IRepresentationEncoder encoder, IDataset data, string op)
    {
        var s = data.SampleShape;
        var (c, h, w) = encoder.InputShape;
        if (s.Length != 3 || s[0] != c || s[1] != h || s[2] != w)
            throw new ArgumentException($"{op}: the data has samples [{string.Join(", ", s)}], the encoder takes images [{c}, {h}, {w}]");
    }

    /// <summary>Samples [start, start + count) as a tensor [count, …sample].</summary>
    internal static Tensor Images(IDataset data, int start, int count)
    {
        var idx = new int[count];
        for (int i = 0; i < count; i++) idx[i] = start + i;
        return Images(data, idx, out _);
    }

    /// <summary>The samples at <paramref name="indices"/> as a tensor [B, …sample], with their labels (empty for unlabelled sets).</summary>
    internal static Tensor Images(IDataset data, int[] indices, out int[] labels)
    {
        var shape = data.SampleShape;
        var full = new int[shape.Length + 1];
        full[0] = indices.Length;
        shape.CopyTo(full, 1);
        var x = Tensor.Empty(full);
        labels = new int[data.NumClasses > 0 ? indices.Length : 0];
        data.Fill(indices, x.AsSpan(), labels);
        return x;
    }
}
