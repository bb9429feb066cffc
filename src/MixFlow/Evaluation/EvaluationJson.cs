using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixFlow.Evaluation;

/// <summary>
/// The JSON settings of the evaluation records: camelCase property names, indented, enums as strings, NaN/±Infinity
/// written as the strings "NaN"/"Infinity"/"-Infinity" (JSON has no literals for them).
/// </summary>
public static class EvaluationJson
{
    /// <summary>The serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Serialises a record.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Deserialises a record.</summary>
    /// <exception cref="JsonException">The text is not valid JSON for <typeparamref name="T"/>, or it is the literal null; the message names the type.</exception>
    public static T Deserialize<T>(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        T? r;
        try { r = JsonSerializer.Deserialize<T>(json, Options); }
        catch (JsonException e) { throw new JsonException($"{typeof(T).Name}.FromJson: {e.Message}", e); }
        return r ?? throw new JsonException($"{typeof(T).Name}.FromJson: the JSON is null");
    }
}
