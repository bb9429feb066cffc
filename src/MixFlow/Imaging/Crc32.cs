namespace MixFlow.Imaging;

/// <summary>
/// CRC-32 (ISO-HDLC / PNG / zip polynomial 0xEDB88320, reflected, initial and final XOR 0xFFFFFFFF), table driven.
/// </summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0, data);

    /// <summary>Continues a CRC: <c>Update(Compute(a), b) == Compute(a ++ b)</c>. Start with 0.</summary>
    /// <param name="crc">The CRC of the bytes seen so far (0 for none).</param>
    /// <param name="data">The next bytes.</param>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = crc ^ 0xFFFFFFFFu;
        var table = Table;
        foreach (byte b in data) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
