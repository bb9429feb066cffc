using MixFlow.Tensors;

namespace MixFlow.Data;

/// <summary>
/// A fixed set of N points drawn from a <see cref="Toy2D"/> distribution with a seed (samples of shape [2], no
/// labels), plus <see cref="Sample(int, Generator)"/> for fresh draws of the same distribution (for evaluation).
/// </summary>
public sealed class ToyDataset : IDataset
{
    private readonly float[] _points;

    /// <summary>The distribution.</summary>
    public Toy2D Kind { get; }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public int[] SampleShape => [2];

    /// <inheritdoc/>
    public int NumClasses => 0;

    /// <summary>Draws <paramref name="count"/> points of <paramref name="kind"/> from <c>new Generator(seed)</c>.</summary>
    /// <param name="kind">The distribution.</param>
    /// <param name="count">Number of points (≥ 1).</param>
    /// <param name="seed">Seed: the same (kind, count, seed) gives the same points.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1 or the kind is not defined.</exception>
    public ToyDataset(Toy2D kind, int count, ulong seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"ToyDataset: count must be ≥ 1, got {count}");
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), $"ToyDataset: unknown Toy2D value {(int)kind}");
        Kind = kind;
        Count = count;
        _points = new float[2 * count];
        Sample(kind, new Generator(seed), _points);
    }

    /// <summary>The stored points, [Count, 2] (a copy).</summary>
    public float[] Points => (float[])_points.Clone();

    /// <inheritdoc/>
    public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<int> labels)
    {
        DatasetExtensions.CheckFill(this, indices, 2, x, labels, nameof(ToyDataset));
        for (int j = 0; j < indices.Length; j++)
        {
            x[2 * j] = _points[2 * indices[j]];
            x[2 * j + 1] = _points[2 * indices[j] + 1];
        }
    }

    /// <summary>Fresh samples of this data set's distribution, [n, 2].</summary>
    /// <param name="n">Number of points (≥ 0).</param>
    /// <param name="gen">The random source.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    public Tensor Sample(int n, Generator gen) => Sample(Kind, n, gen);

    /// <summary>Samples of <paramref name="kind"/>, [n, 2].</summary>
    /// <param name="kind">The distribution.</param>
    /// <param name="n">Number of points (≥ 0).</param>
    /// <param name="gen">The random source.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative or the kind is not defined.</exception>
    public static Tensor Sample(Toy2D kind, int n, Generator gen)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"ToyDataset.Sample: n must be ≥ 0, got {n}");
        var t = Tensor.Empty(n, 2);
        Sample(kind, gen, t.AsSpan());
        return t;
    }

    /// <summary>Fills <paramref name="xy"/> (interleaved x, y pairs) with samples of <paramref name="kind"/>.</summary>
    /// <param name="kind">The distribution.</param>
    /// <param name="gen">The random source.</param>
    /// <param name="xy">Destination of even length.</param>
    /// <exception cref="ArgumentException">Odd destination length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The kind is not defined.</exception>
    public static void Sample(Toy2D kind, Generator gen, Span<float> xy)
    {
        ArgumentNullException.ThrowIfNull(gen);
        if (xy.Length % 2 != 0) throw new ArgumentException($"ToyDataset.Sample: destination length {xy.Length} is odd (pairs of x, y expected)");
        int n = xy.Length / 2;
        for (int i = 0; i < n; i++)
        {
            double x, y;
            switch (kind)
            {
                case Toy2D.Checkerboard:
                {
                    int sq = gen.NextInt(0, 8);            // one of the 8 squares with (i + j) even
                    int row = sq / 2;                       // 0..3
                    int col = 2 * (sq % 2) + (row % 2);     // column with the parity of the row
                    x = -4 + 2 * col + 2 * gen.NextDouble();
                    y = -4 + 2 * row + 2 * gen.NextDouble();
                    break;
                }
                case Toy2D.EightGaussians:
                {
                    double a = gen.NextInt(0, 8) * Math.PI / 4;
                    x = 3 * Math.Cos(a) + 0.3 * gen.NextNormal();
                    y = 3 * Math.Sin(a) + 0.3 * gen.NextNormal();
                    break;
                }
                case Toy2D.TwoMoons:
                {
                    double a = Math.PI * gen.NextDouble();
                    if (gen.NextInt(0, 2) == 0) { x = Math.Cos(a); y = Math.Sin(a); }
                    else { x = 1 - Math.Cos(a); y = 0.5 - Math.Sin(a); }
                    x = 2 * (x - 0.5) + 0.2 * gen.NextNormal();
                    y = 2 * (y - 0.25) + 0.2 * gen.NextNormal();
                    break;
                }
                case Toy2D.Spirals:
                {
                    double t = Math.Sqrt(gen.NextDouble()) * 3 * Math.PI; // angle, denser near the outside
                    double r = t / 3;
                    double s = gen.NextInt(0, 2) == 0 ? 1 : -1;
                    x = s * r * Math.Cos(t) + 0.1 * gen.NextNormal();
                    y = s * r * Math.Sin(t) + 0.1 * gen.NextNormal();
                    break;
                }
                case Toy2D.SwissRoll:
                {
                    double t = 1.5 * Math.PI * (1 + 2 * gen.NextDouble());
                    x = t * Math.Cos(t) / 5 + 0.1 * gen.NextNormal();
                    y = t * Math.Sin(t) / 5 + 0.1 * gen.NextNormal();
                    break;
                }
                case Toy2D.Rings:
                {
                    double r = 0.8 * (1 + gen.NextInt(0, 4)) + 0.08 * gen.NextNormal();
                    double a = 2 * Math.PI * gen.NextDouble();
                    x = r * Math.Cos(a);
                    y = r * Math.Sin(a);
                    break;
                }
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), $"ToyDataset.Sample: unknown Toy2D value {(int)kind}");
            }
            xy[2 * i] = (float)x;
            xy[2 * i + 1] = (float)y;
        }
    }
}
