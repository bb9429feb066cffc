namespace MixFlow.Tensors.IO;

/// <summary>
/// Element types of the safetensors format that this reader understands (the header's <c>"dtype"</c> strings,
/// e.g. <c>"F32"</c>, <c>"BF16"</c>). Every type is converted to float32 on reading; only <see cref="F32"/> is written.
/// </summary>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 binary32 (<c>"F32"</c>), 4 bytes.</summary>
    F32,
    /// <summary>IEEE 754 binary16 (<c>"F16"</c>), 2 bytes.</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a binary32 (<c>"BF16"</c>), 2 bytes.</summary>
    BF16,
    /// <summary>IEEE 754 binary64 (<c>"F64"</c>), 8 bytes; rounded to float32 on reading.</summary>
    F64,
    /// <summary>Signed 64-bit integer (<c>"I64"</c>).</summary>
    I64,
    /// <summary>Signed 32-bit integer (<c>"I32"</c>).</summary>
    I32,
    /// <summary>Signed 16-bit integer (<c>"I16"</c>).</summary>
    I16,
    /// <summary>Signed 8-bit integer (<c>"I8"</c>).</summary>
    I8,
    /// <summary>Unsigned 64-bit integer (<c>"U64"</c>).</summary>
    U64,
    /// <summary>Unsigned 32-bit integer (<c>"U32"</c>).</summary>
    U32,
    /// <summary>Unsigned 16-bit integer (<c>"U16"</c>).</summary>
    U16,
    /// <summary>Unsigned 8-bit integer (<c>"U8"</c>).</summary>
    U8,
    /// <summary>Boolean stored as one byte (<c>"BOOL"</c>); any non-zero byte reads as 1.</summary>
    Bool,
}

/// <summary>Names and sizes of <see cref="SafeTensorsDType"/> values as the format spells them.</summary>
public static class SafeTensorsDTypes
{
    /// <summary>Size of one element in bytes.</summary>
    public static int SizeOf(this SafeTensorsDType t) => t switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 or SafeTensorsDType.U32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 or SafeTensorsDType.U16 => 2,
        _ => 1,
    };

    /// <summary>The header spelling, e.g. <c>"BF16"</c>.</summary>
    public static string ToHeaderString(this SafeTensorsDType t) => t == SafeTensorsDType.Bool ? "BOOL" : t.ToString();

    /// <summary>Parses a header dtype string (case-sensitive, as the format requires).</summary>
    /// <returns>False for an unknown or unsupported type (e.g. the 8-bit float types).</returns>
    public static bool TryParse(string? s, out SafeTensorsDType type)
    {
        switch (s)
        {
            case "F32": type = SafeTensorsDType.F32; return true;
            case "F16": type = SafeTensorsDType.F16; return true;
            case "BF16": type = SafeTensorsDType.BF16; return true;
            case "F64": type = SafeTensorsDType.F64; return true;
            case "I64": type = SafeTensorsDType.I64; return true;
            case "I32": type = SafeTensorsDType.I32; return true;
            case "I16": type = SafeTensorsDType.I16; return true;
            case "I8": type = SafeTensorsDType.I8; return true;
            case "U64": type = SafeTensorsDType.U64; return true;
            case "U32": type = SafeTensorsDType.U32; return true;
            case "U16": type = SafeTensorsDType.U16; return true;
            case "U8": type = SafeTensorsDType.U8; return true;
            case "BOOL": type = SafeTensorsDType.Bool; return true;
            default: type = default; return false;
        }
    }

    /// <summary>The supported header spellings, for error messages.</summary>
    public const string Supported = "F32, F16, BF16, F64, I64, I32, I16, I8, U64, U32, U16, U8, BOOL";
}
