using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), computed as PyTorch's <c>torch.optim.AdamW</c>: per
/// parameter with update count t, p ← p·(1 − lr·wd) (only for parameters the weight-decay filter selects — by default
/// those of rank ≥ 2), m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε).
/// </summary>
/// <remarks>
/// State tensors: <c>exp_avg.&lt;name&gt;</c> and <c>exp_avg_sq.&lt;name&gt;</c>. The update is one fused SIMD pass per
/// parameter, split over the cores for large tensors, and allocates nothing per step.
/// </remarks>
public sealed class AdamW : Optimizer
{
    private readonly Tensor[] _m, _v;
    private readonly bool[] _decay;
    private readonly Runner[] _runners;
    private readonly StateKind[] _kinds;

    /// <summary>The hyper-parameters (the learning rate here is the initial one; see <see cref="Optimizer.LearningRate"/>).</summary>
    public AdamWOptions Options { get; }

    /// <summary>Creates the optimizer with zero moments.</summary>
    /// <param name="parameters">Named parameters (names key the state).</param>
    /// <param name="options">Hyper-parameters; null means the defaults of <see cref="AdamWOptions"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (see <see cref="AdamWOptions.Validate"/>).</exception>
    /// <exception cref="ArgumentException">Empty or duplicate parameter names, or a non-contiguous parameter.</exception>
    public AdamW(IReadOnlyList<NamedTensor> parameters, AdamWOptions? options = null)
        : base(parameters, (options ?? new AdamWOptions()).LearningRate)
    {
        Options = options ?? new AdamWOptions();
        Options.Validate();
        var filter = Options.WeightDecayFilter ?? WeightDecayFilters.RankAtLeast2;
        _m = ZeroBuffers();
        _v = ZeroBuffers();
        _decay = new bool[Parameters.Count];
        _runners = new Runner[Parameters.Count];
        for (int i = 0; i < _decay.Length; i++)
        {
            _decay[i] = filter(Parameters[i]);
            _runners[i] = new Runner(this, i);
        }
        _kinds = [new StateKind("exp_avg", _m), new StateKind("exp_avg_sq", _v)];
    }

    /// <summary>Whether parameter <paramref name="index"/> receives weight decay (as chosen by the filter).</summary>
    public bool DecaysParameter(int index) => _decay[index];

    /// <inheritdoc/>
    protected override IReadOnlyList<StateKind> StateKinds => _kinds;

    /// <inheritdoc/>
    protected override void Update(int index, Tensor param, Tensor grad, long step)
    {
        var o = Options;
        double lr = LearningRate;
        double bc1 = 1 - Math.Pow(o.Beta1, step);
        double bc2 = 1 - Math.Pow(o.Beta2, step);
        var r = _runners[index];
        r.Grad = grad;
        r.C = new AdamWCoefs
        {
            ApplyDecay = _decay[index] && o.WeightDecay != 0,
            Decay = (float)(1 - lr * o.WeightDecay),
            B1 = (float)o.Beta1, OmB1 = (float)(1 - o.Beta1),
            B2 = (float)o.Beta2, OmB2 = (float)(1 - o.Beta2),
            Bc2Sqrt = (float)Math.Sqrt(bc2),
            Eps = (float)o.Eps,
            NegStep = (float)(-(lr / bc1)),
        };
        int n = param.Numel;
        if (n < Kernels.Par.MinParallel) r.Run(0, n);
        else Kernels.Par.For(n, Kernels.Par.MinParallel / 2, r.Body);
        r.Grad = null;
    }

    /// <summary>Per-parameter work item with a cached delegate, so a parallel step allocates no closure.</summary>
    private sealed class Runner
    {
        private readonly AdamW _o;
        private readonly int _i;
        public Tensor? Grad;
        public AdamWCoefs C;
        public readonly Action<int, int> Body;

        public Runner(AdamW o, int i) { _o = o; _i = i; Body = Run; }

        public void Run(int s, int n)
        {
            var p = _o.Parameters[_i].Tensor;
            OptimKernels.AdamW(p.Data.AsSpan(p.Offset + s, n), Grad!.Data.AsSpan(Grad.Offset + s, n),
                _o._m[_i].Data.AsSpan(s, n), _o._v[_i].Data.AsSpan(s, n), in C);
        }
    }
}
