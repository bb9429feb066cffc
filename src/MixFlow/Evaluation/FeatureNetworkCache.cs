using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using MixFlow.Data;
using MixFlow.Tensors;

namespace MixFlow.Evaluation;

/// <summary>
/// Where and under which name the evaluation classifier's weights are cached:
/// <c>&lt;cacheDir&gt;/fmnist-classifier-&lt;key&gt;.safetensors</c>, with the key a hash of the recipe, the data
/// files and the engine version (<see cref="Key(FeatureNetworkRecipe, IReadOnlyList{DataFileFingerprint}, string)"/>).
/// </summary>
public static class FeatureNetworkCache
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string CacheDirVariable = "MIXFLOW_CACHE_DIR";

    /// <summary>
    /// The default cache folder: <c>$MIXFLOW_CACHE_DIR</c> when set, else <c>$XDG_CACHE_HOME/mixflow</c> when
    /// XDG_CACHE_HOME is set, else <c>~/.cache/mixflow</c>.
    /// </summary>
    public static string DefaultDirectory
    {
        get
        {
            var own = Environment.GetEnvironmentVariable(CacheDirVariable);
            if (!string.IsNullOrWhiteSpace(own)) return own;
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg)) return Path.Combine(xdg, "mixflow");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mixflow");
        }
    }

    /// <summary>
    /// The engine version that enters the key: the MixFlow.Tensors assembly version (without a source-revision
    /// suffix, so ordinary commits do not invalidate the cache) — bump the assembly version when kernels change numerics.
    /// </summary>
    public static string EngineVersion
    {
        get
        {
            var asm = typeof(Tensor).Assembly;
            var info = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            string v = info ?? asm.GetName().Version?.ToString() ?? "0";
            int plus = v.IndexOf('+');
            return "MixFlow.Tensors " + (plus >= 0 ? v[..plus] : v);
        }
    }

    /// <summary>The four Fashion-MNIST files (train/test images/labels, <c>.gz</c> or plain as present) of a folder, fingerprinted.</summary>
    /// <param name="directory">The data folder.</param>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it.</exception>
    public static IReadOnlyList<DataFileFingerprint> FashionMnistFingerprints(string directory)
    {
        var list = new List<DataFileFingerprint>();
        foreach (var stem in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            string gz = Path.Combine(directory, stem + ".gz"), raw = Path.Combine(directory, stem);
            string p = File.Exists(gz) ? gz : File.Exists(raw) ? raw
                : throw new FileNotFoundException($"FeatureNetworkCache: Fashion-MNIST file '{gz}' (or '{raw}') not found. Install Debian's package: apt-get install dataset-fashion-mnist", gz);
            list.Add(DataFileFingerprint.Of(p));
        }
        return list;
    }

    /// <summary>The text that is hashed into the key: the recipe's canonical text, one line per data file and the engine version.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static string KeyText(FeatureNetworkRecipe recipe, IReadOnlyList<DataFileFingerprint> files, string engineVersion)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(engineVersion);
        var sb = new StringBuilder("mixflow fmnist-classifier\n");
        sb.Append(recipe.CanonicalText());
        foreach (var f in files) sb.Append("data=").Append(f).Append('\n');
        sb.Append("engine=").Append(engineVersion).Append('\n');
        return sb.ToString();
    }

    /// <summary>The cache key: the first 16 hex digits of SHA-256(<see cref="KeyText"/>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static string Key(FeatureNetworkRecipe recipe, IReadOnlyList<DataFileFingerprint> files, string engineVersion) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(KeyText(recipe, files, engineVersion))))[..16];

    /// <summary>The key of a recipe on the data files of its <see cref="FeatureNetworkRecipe.DataDirectory"/> and the current engine.</summary>
    /// <exception cref="FileNotFoundException">A data file is missing.</exception>
    public static string Key(FeatureNetworkRecipe recipe) =>
        Key(recipe, FashionMnistFingerprints(recipe.DataDirectory), EngineVersion);

    /// <summary>The weights file of a key: <c>&lt;cacheDir&gt;/fmnist-classifier-&lt;key&gt;.safetensors</c>.</summary>
    public static string WeightsPath(string cacheDir, string key) => Path.Combine(cacheDir, $"fmnist-classifier-{key}.safetensors");

    /// <summary>The cached test-split embedding of a key: <c>&lt;cacheDir&gt;/fmnist-test-features-&lt;key&gt;.safetensors</c>.</summary>
    public static string TestFeaturesPath(string cacheDir, string key) => Path.Combine(cacheDir, $"fmnist-test-features-{key}.safetensors");
}
