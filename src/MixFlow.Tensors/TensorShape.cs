namespace MixFlow.Tensors;

/// <summary>Shape arithmetic shared by every op: element counts, row-major strides, broadcasting and axis normalisation.</summary>
public static class TensorShape
{
    /// <summary>Number of elements of a tensor with this shape (1 for a scalar of rank 0).</summary>
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape {Format(shape)} has a negative dimension");
            n *= d;
        }
        if (n > int.MaxValue) throw new ArgumentException($"shape {Format(shape)} has {n} elements; at most {int.MaxValue} are supported");
        return (int)n;
    }

    /// <summary>Row-major (C-order) strides for the shape.</summary>
    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= Math.Max(shape[i], 1); }
        return s;
    }

    /// <summary>Formats a shape the way PyTorch prints it: <c>[2, 3, 4]</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var sb = new System.Text.StringBuilder("[");
        for (int i = 0; i < shape.Length; i++) { if (i > 0) sb.Append(", "); sb.Append(shape[i]); }
        return sb.Append(']').ToString();
    }

    /// <summary>The broadcast shape of two shapes under NumPy rules (align right; each pair equal or one of them 1).</summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast; the message names <paramref name="op"/> and both shapes.</exception>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        int r = Math.Max(a.Length, b.Length);
        var o = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i < r - a.Length ? 1 : a[i - (r - a.Length)];
            int db = i < r - b.Length ? 1 : b[i - (r - b.Length)];
            if (da == db || db == 1) o[i] = da;
            else if (da == 1) o[i] = db;
            else throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast (dimension {i} of the result: {da} vs {db}; expected equal sizes or one of them 1)");
        }
        return o;
    }

    /// <summary>Strides that view a tensor of <paramref name="shape"/>/<paramref name="strides"/> as <paramref name="target"/> (0 on broadcast dimensions).</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, ReadOnlySpan<int> target)
    {
        var s = new int[target.Length];
        int off = target.Length - shape.Length;
        for (int i = 0; i < target.Length; i++)
        {
            if (i < off) { s[i] = 0; continue; }
            s[i] = shape[i - off] == 1 && target[i] != 1 ? 0 : strides[i - off];
        }
        return s;
    }

    /// <summary>Normalises a possibly negative axis (-1 = last) and checks its range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside [-rank, rank).</exception>
    public static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for a tensor of rank {rank} (expected -{rank} <= axis < {rank})");
        return a;
    }

    /// <summary>True when two shapes are equal element by element.</summary>
    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}
