using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay, computed as
/// PyTorch's <c>torch.optim.SGD</c>: d = g + wd·p; with momentum μ: b ← d on a parameter's first update, else
/// b ← μ·b + (1 − dampening)·d, and d = d + μ·b (Nesterov) or d = b; then p ← p − lr·d.
/// </summary>
/// <remarks>State tensors: <c>momentum_buffer.&lt;name&gt;</c> (only when Momentum &gt; 0). One fused SIMD pass per parameter; no allocation per step.</remarks>
public sealed class Sgd : Optimizer
{
    private readonly Tensor[]? _buf;
    private readonly bool[] _decay;
    private readonly Runner[] _runners;
    private readonly StateKind[] _kinds;

    /// <summary>The hyper-parameters (the learning rate here is the initial one; see <see cref="Optimizer.LearningRate"/>).</summary>
    public SgdOptions Options { get; }

    /// <summary>Creates the optimizer (momentum buffers start at zero and are set to the first gradient on a parameter's first update).</summary>
    /// <param name="parameters">Named parameters (names key the state).</param>
    /// <param name="options">Hyper-parameters; null means the defaults of <see cref="SgdOptions"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (see <see cref="SgdOptions.Validate"/>).</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum or with dampening; empty or duplicate parameter names; a non-contiguous parameter.</exception>
    public Sgd(IReadOnlyList<NamedTensor> parameters, SgdOptions? options = null)
        : base(parameters, (options ?? new SgdOptions()).LearningRate)
    {
        Options = options ?? new SgdOptions();
        Options.Validate();
        var filter = Options.WeightDecayFilter ?? WeightDecayFilters.All;
        _buf = Options.Momentum > 0 ? ZeroBuffers() : null;
        _decay = new bool[Parameters.Count];
        _runners = new Runner[Parameters.Count];
        for (int i = 0; i < _decay.Length; i++)
        {
            _decay[i] = filter(Parameters[i]);
            _runners[i] = new Runner(this, i);
        }
        _kinds = _buf is null ? [] : [new StateKind("momentum_buffer", _buf)];
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<StateKind> StateKinds => _kinds;

    /// <inheritdoc/>
    protected override void Update(int index, Tensor param, Tensor grad, long step)
    {
        var o = Options;
        var r = _runners[index];
        r.Grad = grad;
        r.C = new SgdCoefs
        {
            ApplyDecay = _decay[index] && o.WeightDecay != 0,
            UseMomentum = _buf is not null,
            FirstStep = step == 1,
            Nesterov = o.Nesterov,
            Wd = (float)o.WeightDecay,
            Mom = (float)o.Momentum,
            OmDamp = (float)(1 - o.Dampening),
            NegLr = (float)(-LearningRate),
        };
        int n = param.Numel;
        if (n < Kernels.Par.MinParallel) r.Run(0, n);
        else Kernels.Par.For(n, Kernels.Par.MinParallel / 2, r.Body);
        r.Grad = null;
    }

    private sealed class Runner
    {
        private readonly Sgd _o;
        private readonly int _i;
        public Tensor? Grad;
        public SgdCoefs C;
        public readonly Action<int, int> Body;

        public Runner(Sgd o, int i) { _o = o; _i = i; Body = Run; }

        public void Run(int s, int n)
        {
            var p = _o.Parameters[_i].Tensor;
            var buf = _o._buf is null ? Span<float>.Empty : _o._buf[_i].Data.AsSpan(s, n);
            OptimKernels.Sgd(p.Data.AsSpan(p.Offset + s, n), Grad!.Data.AsSpan(Grad.Offset + s, n), buf, in C);
        }
    }
}
