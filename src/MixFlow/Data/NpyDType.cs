namespace MixFlow.Data;

/// <summary>Element types of .npy arrays that <see cref="NpyFile"/> reads (all) and writes (UInt8, Float32, Int64).</summary>
public enum NpyDType
{
    /// <summary><c>|u1</c>: unsigned byte.</summary>
    UInt8,

    /// <summary><c>&lt;i4</c>: little-endian int32 (read only).</summary>
    Int32,

    /// <summary><c>&lt;i8</c>: little-endian int64.</summary>
    Int64,

    /// <summary><c>&lt;f4</c>: little-endian float32.</summary>
    Float32,

    /// <summary><c>&lt;f8</c>: little-endian float64 (read only).</summary>
    Float64,
}
