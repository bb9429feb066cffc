using System.CommandLine;
using MixFlow.Training;

namespace MixFlow.Cli.Commands;

/// <summary>The configuration keys as command-line flags (<c>--batch-size</c> …), parsed by <see cref="TrainConfigKeys"/>.</summary>
public sealed class ConfigOptions
{
    private readonly List<(ConfigKey Key, Option<string?> Option)> _options = new();

    /// <summary><c>--config FILE</c>.</summary>
    public Option<string?> ConfigFileOption { get; } = new("--config") { Description = "YAML file of 'key: value' settings (keys as the flags below; flags override it)", HelpName = "FILE" };

    /// <summary>Adds <c>--config</c> and one flag per key to a command.</summary>
    public ConfigOptions(Command command, IEnumerable<ConfigKey> keys)
    {
        command.Options.Add(ConfigFileOption);
        foreach (var k in keys)
        {
            var o = new Option<string?>("--" + k.Name) { Description = k.Help, HelpName = "VALUE" };
            command.Options.Add(o);
            _options.Add((k, o));
        }
    }

    /// <summary>The flags given on the command line, as raw key/value pairs.</summary>
    public List<KeyValuePair<string, string>> GivenFlags(ParseResult parse)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var (k, o) in _options)
            if (parse.GetResult(o) is not null && parse.GetValue(o) is { } v) list.Add(new(k.Name, v));
        return list;
    }

    /// <summary>Applies the YAML file (if given, read once) and then the flags over <paramref name="baseConfig"/>.</summary>
    /// <returns>The configuration and the normalised names of the keys that the file or the flags set.</returns>
    /// <exception cref="ConfigException">Unknown key or invalid value (naming the file for file keys).</exception>
    public ResolvedConfig Resolve(ParseResult parse, TrainConfig baseConfig)
    {
        var cfg = baseConfig;
        var given = new HashSet<string>(StringComparer.Ordinal);
        if (parse.GetValue(ConfigFileOption) is { } file)
            foreach (var (k, v) in ConfigFile.Read(file))
            {
                try { cfg = TrainConfigKeys.Apply(cfg, k, v); }
                catch (ConfigException e) { throw new ConfigException(e.Key, $"config file '{file}': {e.Message}"); }
                given.Add(TrainConfigKeys.Normalize(k));
            }
        var flags = GivenFlags(parse);
        foreach (var kv in flags) given.Add(kv.Key);
        return new ResolvedConfig(TrainConfigKeys.Apply(cfg, flags), given);
    }
}

/// <summary>A configuration resolved from a YAML file and flags, with the keys that were set explicitly.</summary>
/// <param name="Config">The resulting configuration.</param>
/// <param name="GivenKeys">Normalised key names set by the file or a flag (e.g. <c>gamma</c>, <c>time-sampler</c>).</param>
public sealed record ResolvedConfig(TrainConfig Config, IReadOnlySet<string> GivenKeys)
{
    /// <summary>Whether <paramref name="key"/> (a normalised key name) was set by the file or a flag.</summary>
    public bool Given(string key) => GivenKeys.Contains(key);
}
