namespace MixFlow.Training;

/// <summary>
/// A configuration value (from a YAML file or a command-line flag) is unknown or invalid. The message names the key,
/// the value received and the allowed values or range; command-line front ends report it as a usage error.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>The offending key (e.g. <c>batch-size</c>), or null when the problem is not tied to one key.</summary>
    public string? Key { get; }

    /// <summary>Creates the exception.</summary>
    /// <param name="key">The offending key, or null.</param>
    /// <param name="message">A one-line description naming the key, the value and what is allowed.</param>
    public ConfigException(string? key, string message) : base(message) { Key = key; }
}
