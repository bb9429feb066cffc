using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;

namespace MixFlow.Models;

/// <summary>
/// Exponential moving average of a module's parameters (buffers are copied, not averaged). After the n-th update
/// (n = 0, 1, …) the shadow is θ̄ ← d_n·θ̄ + (1 − d_n)·θ with d_n = decay, or with warm-up
/// d_n = min(decay, (1 + n)/(10 + n)) so early averages are not dominated by the random initialisation.
/// </summary>
public sealed class Ema
{
    private readonly List<(string Name, Tensor Shadow)> _params = new();
    private readonly List<(string Name, Tensor Shadow)> _buffers = new();

    /// <summary>Starts the average at the module's current parameters.</summary>
    /// <param name="model">The module to average.</param>
    /// <param name="decay">Target decay in [0, 1]. Default 0.9999.</param>
    /// <param name="warmup">Use the warm-up schedule (default true).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> outside [0, 1].</exception>
    public Ema(Module model, float decay = 0.9999f, bool warmup = true)
    {
        if (!(decay >= 0 && decay <= 1)) throw new ArgumentOutOfRangeException(nameof(decay), $"Ema: decay must be in [0, 1] (got {decay})");
        Decay = decay; Warmup = warmup;
        foreach (var (n, p) in model.NamedParameters()) _params.Add((n, CopyOf(p)));
        foreach (var (n, b) in model.NamedBuffers()) _buffers.Add((n, CopyOf(b)));
    }

    private static Tensor CopyOf(Tensor t)
    {
        var c = Tensor.FromArray(t.ToArray(), t.Shape);
        c.MoveToOuterScope();
        return c;
    }

    /// <summary>Target decay.</summary>
    public float Decay { get; }

    /// <summary>Whether the warm-up schedule is used.</summary>
    public bool Warmup { get; }

    /// <summary>Number of updates done.</summary>
    public long Steps { get; private set; }

    /// <summary>The decay the next update will use.</summary>
    public float CurrentDecay => Warmup ? (float)Math.Min(Decay, (1.0 + Steps) / (10.0 + Steps)) : Decay;

    /// <summary>The shadow parameters by name.</summary>
    public IReadOnlyList<NamedTensor> Shadow => _params.Select(p => new NamedTensor(p.Name, p.Shadow)).ToList();

    /// <summary>Folds the module's current parameters into the average and copies its buffers.</summary>
    /// <exception cref="ArgumentException">The module's parameters do not match those the average was created from.</exception>
    public void Update(Module model)
    {
        float d = CurrentDecay;
        Pairs(model.NamedParameters(), _params, "Update", (src, shadow) => TensorPrimitives.Lerp(shadow, src, 1f - d, shadow));
        Pairs(model.NamedBuffers(), _buffers, "Update", (src, shadow) => src.CopyTo(shadow));
        Steps++;
    }

    /// <summary>
    /// Puts the averaged weights into the module until the returned scope is disposed, which restores the module's own
    /// weights: <c>using (ema.Apply(model)) { sample … }</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The module does not match the average.</exception>
    public IDisposable Apply(Module model)
    {
        var backup = new List<float[]>();
        foreach (var (_, p) in model.NamedParameters()) backup.Add(p.ToArray());
        foreach (var (_, b) in model.NamedBuffers()) backup.Add(b.ToArray());
        Pairs(model.NamedParameters(), _params, "Apply", (src, shadow) => shadow.CopyTo(src));
        Pairs(model.NamedBuffers(), _buffers, "Apply", (src, shadow) => shadow.CopyTo(src));
        return new Restorer(model, backup);
    }

    private sealed class Restorer(Module model, List<float[]> backup) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            int i = 0;
            foreach (var (_, p) in model.NamedParameters()) backup[i++].CopyTo(p.AsSpan());
            foreach (var (_, b) in model.NamedBuffers()) backup[i++].CopyTo(b.AsSpan());
        }
    }

    /// <summary>Copies the averaged weights into the module permanently (e.g. before exporting the EMA model).</summary>
    /// <exception cref="ArgumentException">The module does not match the average.</exception>
    public void CopyTo(Module model)
    {
        Pairs(model.NamedParameters(), _params, "CopyTo", (src, shadow) => shadow.CopyTo(src));
        Pairs(model.NamedBuffers(), _buffers, "CopyTo", (src, shadow) => shadow.CopyTo(src));
    }

    /// <summary>The state for checkpoints: <c>ema.&lt;name&gt;</c> for every parameter and buffer, plus <c>ema.__steps__</c> (one element).</summary>
    public IReadOnlyList<NamedTensor> StateDict()
    {
        var r = new List<NamedTensor>();
        foreach (var (n, s) in _params) r.Add(new NamedTensor("ema." + n, s));
        foreach (var (n, s) in _buffers) r.Add(new NamedTensor("ema." + n, s));
        r.Add(new NamedTensor(StepsKey, Tensor.FromArray([(float)Steps], 1)));
        return r;
    }

    /// <summary>Name of the step counter in <see cref="StateDict"/>.</summary>
    public const string StepsKey = "ema.__steps__";

    /// <summary>Restores the state written by <see cref="StateDict"/> (other names in the dict are ignored; all <c>ema.*</c> names must match).</summary>
    /// <exception cref="ArgumentException">A shadow tensor is missing, mis-shaped or unexpected.</exception>
    public void Load(IReadOnlyDictionary<string, Tensor> state)
    {
        var problems = new List<string>();
        var known = new HashSet<string> { StepsKey };
        foreach (var (n, s) in _params.Concat(_buffers))
        {
            known.Add("ema." + n);
            if (!state.TryGetValue("ema." + n, out var t)) problems.Add($"missing 'ema.{n}'");
            else if (!TensorShape.Equal(t.Shape, s.Shape)) problems.Add($"'ema.{n}': shape {TensorShape.Format(t.Shape)}, expected {TensorShape.Format(s.Shape)}");
        }
        foreach (var k in state.Keys) if (k.StartsWith("ema.", StringComparison.Ordinal) && !known.Contains(k)) problems.Add($"unexpected '{k}'");
        if (problems.Count > 0) throw new ArgumentException($"Ema.Load: {problems.Count} problem(s): {string.Join("; ", problems.Take(8))}");
        foreach (var (n, s) in _params.Concat(_buffers)) state["ema." + n].ToArray().CopyTo(s.AsSpan());
        if (state.TryGetValue(StepsKey, out var st)) Steps = (long)st.ToArray()[0];
    }

    private delegate void PairAction(Span<float> model, Span<float> shadow);

    private static void Pairs(IEnumerable<NamedTensor> own, List<(string Name, Tensor Shadow)> shadows, string op, PairAction act)
    {
        var list = own.ToList();
        if (list.Count != shadows.Count)
            throw new ArgumentException($"Ema.{op}: the module has {list.Count} tensors, the average {shadows.Count}");
        for (int i = 0; i < list.Count; i++)
        {
            var (n, t) = list[i];
            var (sn, s) = shadows[i];
            if (n != sn || !TensorShape.Equal(t.Shape, s.Shape))
                throw new ArgumentException($"Ema.{op}: module tensor '{n}' {TensorShape.Format(t.Shape)} does not match averaged '{sn}' {TensorShape.Format(s.Shape)}");
            act(t.AsSpan(), s.AsSpan());
        }
    }
}
