using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.IO;

/// <summary>Saving and loading a module's state dict (parameters and buffers by dotted name) as safetensors.</summary>
public static class ModuleSafeTensorsExtensions
{
    /// <summary>Writes <see cref="Module.StateDict"/> atomically as F32 safetensors (see <see cref="SafeTensors.Save(string, IEnumerable{NamedTensor}, IReadOnlyDictionary{string, string}?)"/>).</summary>
    /// <exception cref="IOException">The file cannot be written; the message names the path.</exception>
    public static void SaveSafeTensors(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
        => SafeTensors.Save(path, module.StateDict(), metadata);

    /// <summary>
    /// Copies the tensors of a safetensors file into the module's parameters and buffers in place
    /// (<see cref="Module.LoadStateDict"/>); any stored dtype is converted to float32.
    /// </summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="path">The file.</param>
    /// <param name="strict">When true, names missing from the file and names the module lacks are errors; when false only the names both have are loaded.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is malformed.</exception>
    /// <exception cref="ArgumentException">Names or shapes do not fit; the message names the file and lists the mismatches.</exception>
    public static void LoadSafeTensors(this Module module, string path, bool strict = true)
    {
        using var file = SafeTensors.Load(path);
        var own = module.StateDict();
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var scope = new TensorScope();
            if (strict) foreach (var n in file.Names) state[n] = file.Read(n);
            else foreach (var (n, _) in own) if (file.Contains(n)) state[n] = file.Read(n);
            module.LoadStateDict(state, strict);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"LoadSafeTensors '{path}': {e.Message}", e);
        }
    }
}
