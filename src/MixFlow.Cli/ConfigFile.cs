using MixFlow.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MixFlow.Cli;

/// <summary>Reads a flat YAML configuration file (<c>key: value</c> pairs, keys as in <see cref="TrainConfigKeys"/>).</summary>
public static class ConfigFile
{
    /// <summary>Reads the raw key/value pairs of a YAML file, in file order; keys are validated by the caller.</summary>
    /// <exception cref="ConfigException">The file is missing, is not valid YAML, is not a mapping, or a value is not a scalar; the message names the file (and the key).</exception>
    public static List<KeyValuePair<string, string>> Read(string path)
    {
        if (!File.Exists(path)) throw new ConfigException("config", $"config file '{path}' not found");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ConfigException("config", $"config file '{path}' is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}");
        }
        var result = new List<KeyValuePair<string, string>>();
        if (stream.Documents.Count == 0) return result;
        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode { Value: null or "" }) return result;
        if (root is not YamlMappingNode map)
            throw new ConfigException("config", $"config file '{path}': expected a mapping of 'key: value' lines at the top level (got a {root.NodeType})");
        foreach (var (k, v) in map.Children)
        {
            string key = (k as YamlScalarNode)?.Value ?? throw new ConfigException("config", $"config file '{path}' (line {k.Start.Line}): keys must be plain names");
            if (v is not YamlScalarNode sv)
                throw new ConfigException(key, $"config file '{path}' (line {v.Start.Line}): the value of '{key}' must be a single value, not a {v.NodeType}");
            result.Add(new(key, sv.Value ?? ""));
        }
        return result;
    }

    /// <summary>Reads a file and applies it over <paramref name="baseConfig"/>, validating every key and value.</summary>
    /// <exception cref="ConfigException">Unreadable file, unknown key or invalid value; the message names the file and the key.</exception>
    public static TrainConfig Apply(TrainConfig baseConfig, string path)
    {
        foreach (var (k, v) in Read(path))
        {
            try { baseConfig = TrainConfigKeys.Apply(baseConfig, k, v); }
            catch (ConfigException e) { throw new ConfigException(e.Key, $"config file '{path}': {e.Message}"); }
        }
        return baseConfig;
    }
}
