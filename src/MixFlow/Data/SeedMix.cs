namespace MixFlow.Data;

/// <summary>Derives independent 64-bit seeds from a base seed and counters (SplitMix64 finaliser chain).</summary>
internal static class SeedMix
{
    internal static ulong Mix(ulong seed, ulong a, ulong b = 0)
    {
        ulong z = Finalise(seed + 0x9E3779B97F4A7C15UL);
        z = Finalise(z ^ (a + 0x632BE59BD9B4E019UL));
        return Finalise(z ^ (b + 0xD1B54A32D192ED03UL));
    }

    private static ulong Finalise(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
