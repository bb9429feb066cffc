using MixFlow.Tensors.IO;

namespace MixFlow.Tensors.Optim;

/// <summary>Saving and restoring an optimizer's complete state as one safetensors file.</summary>
public static class OptimizerSafeTensorsExtensions
{
    /// <summary>
    /// Writes <see cref="Optimizer.StateTensors"/> as F32 tensors and <see cref="Optimizer.Scalars"/> as
    /// <c>__metadata__</c> (see <see cref="OptimizerScalars.ToMetadata"/>), atomically.
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="path">Destination file.</param>
    /// <param name="extraMetadata">Further metadata to store (keys must not start with <c>optim.</c>).</param>
    /// <exception cref="ArgumentException">An extra metadata key collides with the optimizer's.</exception>
    /// <exception cref="IOException">The file cannot be written; the message names the path.</exception>
    public static void SaveState(this Optimizer optimizer, string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var meta = optimizer.Scalars().ToMetadata();
        meta["optim.type"] = optimizer.GetType().Name;
        if (extraMetadata is not null)
            foreach (var (k, v) in extraMetadata)
                if (!meta.TryAdd(k, v)) throw new ArgumentException($"SaveState '{path}': metadata key '{k}' is reserved for the optimizer's state");
        SafeTensors.Save(path, optimizer.StateTensors(), meta);
    }

    /// <summary>Restores state written by <see cref="SaveState"/> into an optimizer of the same type over the same parameter names and shapes.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is malformed.</exception>
    /// <exception cref="ArgumentException">The file was written by another optimizer type, or tensors/step counts do not fit; the message names the file.</exception>
    public static void LoadState(this Optimizer optimizer, string path)
    {
        using var file = SafeTensors.Load(path);
        string type = optimizer.GetType().Name;
        if (file.Metadata.TryGetValue("optim.type", out var saved) && saved != type)
            throw new ArgumentException($"LoadState '{path}': the file holds {saved} state; this optimizer is {type}");
        OptimizerScalars scalars;
        try { scalars = OptimizerScalars.FromMetadata(file.Metadata); }
        catch (FormatException e) { throw new ArgumentException($"LoadState '{path}': {e.Message}", e); }
        using var scope = new TensorScope();
        try { optimizer.LoadState(file.ReadAll(), scalars); }
        catch (ArgumentException e) { throw new ArgumentException($"LoadState '{path}': {e.Message}", e); }
    }
}
