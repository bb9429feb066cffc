namespace MixFlow.Tensors;

/// <summary>The complete state of a <see cref="Generator"/>, for checkpoints (restoring it replays the same stream).</summary>
public sealed record GeneratorState(ulong S0, ulong S1, ulong S2, ulong S3);

/// <summary>
/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64). Tensors are always filled
/// sequentially on the calling thread, so a stream depends only on the seed and the order of calls — never on the
/// number of threads.
/// </summary>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a seed.</summary>
    public Generator(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Captures the state.</summary>
    public GeneratorState GetState() => new(_s0, _s1, _s2, _s3);

    /// <summary>Restores a state captured by <see cref="GetState"/>.</summary>
    public void SetState(GeneratorState s)
    {
        if ((s.S0 | s.S1 | s.S2 | s.S3) == 0) throw new ArgumentException("Generator.SetState: the all-zero state is invalid for xoshiro256**");
        (_s0, _s1, _s2, _s3) = (s.S0, s.S1, s.S2, s.S3);
    }

    /// <summary>Derives an independent generator (for a data loader, a dropout layer …) from this one's stream.</summary>
    public Generator Fork() => new(NextUInt64());

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOps.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOps.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform integer in [<paramref name="low"/>, <paramref name="high"/>) without modulo bias.</summary>
    /// <exception cref="ArgumentOutOfRangeException">high &lt;= low.</exception>
    public int NextInt(int low, int high)
    {
        if (high <= low) throw new ArgumentOutOfRangeException(nameof(high), $"Generator.NextInt: high ({high}) must be greater than low ({low})");
        ulong range = (ulong)((long)high - low);
        ulong limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(low + (long)(r % range));
    }

    /// <summary>Standard normal double (Box–Muller, one value per call; the partner value is discarded for reproducibility).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fills with uniform values in [0, 1).</summary>
    public void FillUniform(Span<float> dst) { for (int i = 0; i < dst.Length; i++) dst[i] = NextFloat(); }

    /// <summary>Fills with uniform values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Span<float> dst, float low, float high) { for (int i = 0; i < dst.Length; i++) dst[i] = low + (high - low) * NextFloat(); }

    /// <summary>Fills with standard normal values (Box–Muller in pairs).</summary>
    public void FillNormal(Span<float> dst)
    {
        int i = 0;
        for (; i + 1 < dst.Length; i += 2)
        {
            double u1 = 1.0 - NextDouble(), u2 = NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1)), a = 2 * Math.PI * u2;
            dst[i] = (float)(r * Math.Cos(a));
            dst[i + 1] = (float)(r * Math.Sin(a));
        }
        if (i < dst.Length) dst[i] = (float)NextNormal();
    }

    /// <summary>Fills with integers drawn uniformly from [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillInt(Span<int> dst, int low, int high) { for (int i = 0; i < dst.Length; i++) dst[i] = NextInt(low, high); }

    /// <summary>
    /// Beta(a, b) sample. Closed-form inverse CDF when a = 1 or b = 1 (Beta(a,1): u^(1/a); Beta(1,b): 1 − u^(1/b));
    /// otherwise the ratio of two Gamma samples (Marsaglia–Tsang).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">a or b is not positive.</exception>
    public double NextBeta(double a, double b)
    {
        if (!(a > 0) || !(b > 0)) throw new ArgumentOutOfRangeException(nameof(a), $"Generator.NextBeta: parameters must be > 0 (got a={a}, b={b})");
        if (b == 1) return Math.Pow(NextDouble(), 1.0 / a);
        if (a == 1) return 1.0 - Math.Pow(NextDouble(), 1.0 / b);
        double x = NextGamma(a), y = NextGamma(b);
        return x / (x + y);
    }

    /// <summary>Gamma(shape, 1) sample by Marsaglia–Tsang (with the u^(1/shape) boost below shape 1).</summary>
    public double NextGamma(double shape)
    {
        if (!(shape > 0)) throw new ArgumentOutOfRangeException(nameof(shape), $"Generator.NextGamma: shape must be > 0 (got {shape})");
        if (shape < 1) return NextGamma(shape + 1) * Math.Pow(1.0 - NextDouble(), 1.0 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do { x = NextNormal(); v = 1 + c * x; } while (v <= 0);
            v = v * v * v;
            double u = 1.0 - NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) { int j = NextInt(0, i + 1); (p[i], p[j]) = (p[j], p[i]); }
        return p;
    }
}

internal static class BitOps
{
    internal static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
