namespace MixFlow.Data;

/// <summary>
/// Data sets from .npy / .npz files. Accepted image arrays: uint8 [N, H, W, C] (channel last, as in ADM sample files)
/// or uint8 [N, H, W] (gray), mapped to [−1, 1]; float32/float64 [N, ...] used as they are (e.g. [N, C, H, W] images
/// already in [−1, 1], or [N, 2] points). Labels: an optional integer [N] array.
/// </summary>
public static class NumpyDataset
{
    /// <summary>Loads a data set.</summary>
    /// <param name="path">A .npy file (samples only) or a .npz archive.</param>
    /// <param name="samplesKey">The .npz entry holding the samples (default "arr_0").</param>
    /// <param name="labelsKey">The .npz entry holding labels (default "arr_1"); used when present, null to ignore labels.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt, the samples entry is missing, or the arrays have
    /// an unsupported dtype or rank, or counts that disagree; the message names the file and entry.</exception>
    public static ArrayDataset Load(string path, string samplesKey = "arr_0", string? labelsKey = "arr_1")
    {
        NpyArray samples;
        NpyArray? labels = null;
        string where;
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            samples = NpyFile.Read(path);
            where = path;
        }
        else
        {
            var all = NpzFile.Read(path);
            if (!all.TryGetValue(samplesKey, out samples!))
                throw new InvalidDataException($"npz '{path}': no entry '{samplesKey}' (entries: {string.Join(", ", all.Keys)})");
            if (labelsKey is not null) all.TryGetValue(labelsKey, out labels);
            where = $"{path}:{samplesKey}";
        }
        var shape = samples.Shape;
        if (shape.Length < 2) throw new InvalidDataException($"npy '{where}': samples have shape [{string.Join(", ", shape)}], expected [N, ...] with at least 2 dimensions");
        int n = shape[0];
        int[]? lab = null;
        if (labels is not null)
        {
            string lw = $"{path}:{labelsKey}";
            if (labels.DType is not (NpyDType.UInt8 or NpyDType.Int32 or NpyDType.Int64))
                throw new InvalidDataException($"npy '{lw}': labels have dtype {labels.DType}, expected an integer type");
            if (labels.Shape.Length != 1 || labels.Shape[0] != n)
                throw new InvalidDataException($"npy '{lw}': labels have shape [{string.Join(", ", labels.Shape)}], expected [{n}]");
            var l64 = labels.ToInt64();
            lab = new int[n];
            for (int i = 0; i < n; i++)
            {
                if (l64[i] < 0 || l64[i] > int.MaxValue) throw new InvalidDataException($"npy '{lw}': label {l64[i]} at index {i} is out of range");
                lab[i] = (int)l64[i];
            }
        }
        try
        {
            switch (samples.DType)
            {
                case NpyDType.UInt8 when shape.Length == 4:
                    return ArrayDataset.FromNhwc((byte[])samples.Data, n, shape[1], shape[2], shape[3], lab);
                case NpyDType.UInt8 when shape.Length == 3:
                    return ArrayDataset.FromBytes((byte[])samples.Data, [1, shape[1], shape[2]], lab);
                case NpyDType.Float32 or NpyDType.Float64:
                    return ArrayDataset.FromFloats(samples.ToFloat32(), shape[1..], lab);
                default:
                    throw new InvalidDataException($"npy '{where}': samples of dtype {samples.DType} and shape [{string.Join(", ", shape)}] are not supported (uint8 [N,H,W,C] or [N,H,W], or float [N, ...])");
            }
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"npy '{where}': {e.Message}", e);
        }
    }
}
