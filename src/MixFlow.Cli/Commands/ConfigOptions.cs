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

    /// <summary>Applies the YAML file (if given) and then the flags over <paramref name="baseConfig"/>.</summary>
    /// <exception cref="ConfigException">Unknown key or invalid value.</exception>
    public TrainConfig Resolve(ParseResult parse, TrainConfig baseConfig)
    {
        var cfg = baseConfig;
        if (parse.GetValue(ConfigFileOption) is { } file) cfg = ConfigFile.Apply(cfg, file);
        return TrainConfigKeys.Apply(cfg, GivenFlags(parse));
    }
}
