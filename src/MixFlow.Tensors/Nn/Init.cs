namespace MixFlow.Tensors.Nn;

/// <summary>
/// In-place parameter initialisers (PyTorch's <c>torch.nn.init</c>). They write into the tensor's storage, so the
/// tensor must be contiguous (parameters are); no autograd is recorded.
/// </summary>
public static class Init
{
    /// <summary>Fills with zeros.</summary>
    public static void Zeros(Tensor w) => Span(w, nameof(Zeros)).Clear();

    /// <summary>Fills with a constant.</summary>
    public static void Constant(Tensor w, float value) => Span(w, nameof(Constant)).Fill(value);

    /// <summary>Fills with uniform samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="high"/> is below <paramref name="low"/>.</exception>
    public static void Uniform(Tensor w, float low, float high, Generator gen)
    {
        if (!(high >= low)) throw new ArgumentException($"Init.Uniform: high {high} must be >= low {low}");
        gen.FillUniform(Span(w, nameof(Uniform)), low, high);
    }

    /// <summary>Fills with normal samples of mean <paramref name="mean"/> and standard deviation <paramref name="std"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="std"/> is negative or not finite.</exception>
    public static void Normal(Tensor w, float std, Generator gen, float mean = 0f)
    {
        if (!(std >= 0) || float.IsInfinity(std)) throw new ArgumentException($"Init.Normal: std must be a finite value >= 0 (got {std})");
        var s = Span(w, nameof(Normal));
        gen.FillNormal(s);
        for (int i = 0; i < s.Length; i++) s[i] = mean + std * s[i];
    }

    /// <summary>PyTorch's fan-in and fan-out of a weight: dim 1 and dim 0 times the product of the remaining (receptive field) dims.</summary>
    /// <exception cref="ArgumentException">The tensor has rank below 2.</exception>
    public static FanInOut Fans(Tensor w)
    {
        if (w.Rank < 2) throw new ArgumentException($"Init: fan-in/fan-out need a tensor of rank >= 2 (got shape {TensorShape.Format(w.Shape)})");
        int receptive = 1;
        for (int i = 2; i < w.Rank; i++) receptive *= w.Size(i);
        return new FanInOut(w.Size(1) * receptive, w.Size(0) * receptive);
    }

    /// <summary>Xavier/Glorot uniform: U(−b, b) with b = gain·√(6 / (fanIn + fanOut)), fans from <see cref="Fans"/>.</summary>
    public static void XavierUniform(Tensor w, Generator gen, float gain = 1f)
    {
        var f = Fans(w);
        XavierUniform(w, gen, f.FanIn, f.FanOut, gain);
    }

    /// <summary>Xavier uniform with explicit fans (e.g. DiT's patch embedding, initialised as its flattened [D, C·p·p] view).</summary>
    /// <exception cref="ArgumentException">A fan is not positive.</exception>
    public static void XavierUniform(Tensor w, Generator gen, int fanIn, int fanOut, float gain = 1f)
    {
        if (fanIn <= 0 || fanOut <= 0) throw new ArgumentException($"Init.XavierUniform: fans must be positive (got fanIn {fanIn}, fanOut {fanOut})");
        float b = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        gen.FillUniform(Span(w, nameof(XavierUniform)), -b, b);
    }

    /// <summary>
    /// Kaiming uniform on fan-in with leaky-ReLU slope <paramref name="a"/>: U(−b, b), b = √(2/(1+a²))·√(3/fanIn).
    /// PyTorch's default for Linear/Conv weights uses a = √5, which gives b = 1/√fanIn.
    /// </summary>
    public static void KaimingUniform(Tensor w, Generator gen, double a)
    {
        int fanIn = Fans(w).FanIn;
        double gain = Math.Sqrt(2.0 / (1 + a * a));
        float b = (float)(gain * Math.Sqrt(3.0 / fanIn));
        gen.FillUniform(Span(w, nameof(KaimingUniform)), -b, b);
    }

    /// <summary>PyTorch's default initialisation of a Linear/Conv layer: kaiming-uniform(a = √5) weight, bias U(±1/√fanIn).</summary>
    public static void DefaultLayer(Tensor weight, Tensor? bias, Generator gen)
    {
        KaimingUniform(weight, gen, Math.Sqrt(5));
        if (bias is not null)
        {
            float b = 1f / MathF.Sqrt(Fans(weight).FanIn);
            Uniform(bias, -b, b, gen);
        }
    }

    private static Span<float> Span(Tensor w, string op)
    {
        if (!w.IsContiguous) throw new ArgumentException($"Init.{op}: the tensor (shape {TensorShape.Format(w.Shape)}) must be contiguous");
        return w.AsSpan();
    }
}

/// <summary>Fan-in and fan-out of a weight tensor (see <see cref="Init.Fans"/>).</summary>
public sealed record FanInOut(int FanIn, int FanOut);
