using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.Optim;

/// <summary>
/// Base of first-order optimizers over a fixed list of named parameters. <see cref="Step"/> updates every parameter
/// whose <see cref="Tensor.Grad"/> is set, in place (parameters whose gradient is null are skipped: neither they nor
/// their state change, and their own update count does not advance, as in PyTorch).
/// </summary>
/// <remarks>
/// State: <see cref="StateTensors"/> lists the optimizer's buffers under names <c>&lt;kind&gt;.&lt;parameter name&gt;</c>
/// (e.g. <c>exp_avg.blocks.0.weight</c>); together with <see cref="Scalars"/> they restore an optimizer exactly with
/// <see cref="LoadState"/>. State buffers are allocated (as zeros) in the constructor, outside any
/// <see cref="TensorScope"/>. Hyper-parameters other than the learning rate come from the constructor's options.
/// </remarks>
public abstract class Optimizer
{
    private readonly NamedTensor[] _params;
    private readonly long[] _paramSteps;
    private readonly Dictionary<string, int> _index;
    private double _lr;

    /// <summary>Validates the parameter list (non-empty unique names, contiguous tensors) and the learning rate.</summary>
    /// <exception cref="ArgumentException">An empty or duplicate name, or a non-contiguous parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is negative or not finite.</exception>
    protected Optimizer(IReadOnlyList<NamedTensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _params = parameters.ToArray();
        _paramSteps = new long[_params.Length];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _params.Length; i++)
        {
            var (name, t) = _params[i];
            if (string.IsNullOrEmpty(name)) throw new ArgumentException($"{GetType().Name}: parameter {i} has an empty name");
            if (!_index.TryAdd(name, i)) throw new ArgumentException($"{GetType().Name}: the parameter name '{name}' appears twice");
            if (!t.IsContiguous) throw new ArgumentException($"{GetType().Name}: parameter '{name}' of shape {TensorShape.Format(t._shape)} is a non-contiguous view; optimizers update contiguous tensors in place");
        }
        LearningRate = learningRate;
    }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<NamedTensor> Parameters => _params;

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>The learning rate of the next step; set it before each step to follow a schedule (<see cref="ILrSchedule"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double LearningRate
    {
        get => _lr;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), $"{GetType().Name}: LearningRate must be a finite value >= 0 (got {value})");
            _lr = value;
        }
    }

    /// <summary>Number of updates parameter <paramref name="index"/> has received.</summary>
    protected long ParameterStep(int index) => _paramSteps[index];

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    /// <exception cref="InvalidOperationException">A gradient's shape differs from its parameter's or it is a non-contiguous view; the message names the parameter.</exception>
    public void Step()
    {
        for (int i = 0; i < _params.Length; i++)
        {
            var (name, p) = _params[i];
            var g = p.Grad;
            if (g is null) continue;
            if (!TensorShape.Equal(g._shape, p._shape))
                throw new InvalidOperationException($"{GetType().Name}.Step: parameter '{name}' has shape {TensorShape.Format(p._shape)} but its gradient has shape {TensorShape.Format(g._shape)}");
            if (!g.IsContiguous)
                throw new InvalidOperationException($"{GetType().Name}.Step: the gradient of parameter '{name}' is a non-contiguous view");
        }
        StepCount++;
        for (int i = 0; i < _params.Length; i++)
        {
            var p = _params[i].Tensor;
            var g = p.Grad;
            if (g is null) continue;
            _paramSteps[i]++;
            Update(i, p, g, _paramSteps[i]);
        }
    }

    /// <summary>Applies one update to parameter <paramref name="index"/> (contiguous, same shape as its contiguous gradient).</summary>
    /// <param name="index">Position in <see cref="Parameters"/>.</param>
    /// <param name="param">The parameter.</param>
    /// <param name="grad">Its gradient.</param>
    /// <param name="step">The parameter's update count including this one (1 on its first update).</param>
    protected abstract void Update(int index, Tensor param, Tensor grad, long step);

    /// <summary>Clears the gradients: sets them to zero in place (keeping their buffers), or to null when <paramref name="setToNull"/>.</summary>
    public void ZeroGrad(bool setToNull = false)
    {
        foreach (var (_, p) in _params)
        {
            if (setToNull) p.Grad = null;
            else p.ZeroGrad();
        }
    }

    /// <summary>The kinds of state buffer (e.g. <c>exp_avg</c>) with one buffer per parameter, in parameter order.</summary>
    protected abstract IReadOnlyList<StateKind> StateKinds { get; }

    /// <summary>One kind of per-parameter state buffer.</summary>
    /// <param name="Prefix">Name prefix, e.g. <c>exp_avg</c>.</param>
    /// <param name="Buffers">One buffer per parameter (same shape), in parameter order.</param>
    protected sealed record StateKind(string Prefix, Tensor[] Buffers);

    /// <summary>Allocates one zero buffer per parameter, outside any <see cref="TensorScope"/>.</summary>
    protected Tensor[] ZeroBuffers()
    {
        var r = new Tensor[_params.Length];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = Tensor.EmptyUntracked(_params[i].Tensor._shape);
            r[i].AsSpan().Clear();
        }
        return r;
    }

    /// <summary>
    /// The state buffers named <c>&lt;kind&gt;.&lt;parameter name&gt;</c>, kind by kind in parameter order. These are the
    /// live buffers (not copies): save them before the next step.
    /// </summary>
    public IReadOnlyList<NamedTensor> StateTensors()
    {
        var list = new List<NamedTensor>();
        foreach (var k in StateKinds)
            for (int i = 0; i < _params.Length; i++)
                list.Add(new NamedTensor(k.Prefix + "." + _params[i].Name, k.Buffers[i]));
        return list;
    }

    /// <summary>The step counts and learning rate (see <see cref="OptimizerScalars"/>).</summary>
    public OptimizerScalars Scalars()
    {
        var d = new Dictionary<string, long>(_params.Length, StringComparer.Ordinal);
        for (int i = 0; i < _params.Length; i++) d[_params[i].Name] = _paramSteps[i];
        return new OptimizerScalars(StepCount, LearningRate, d);
    }

    /// <summary>
    /// Restores state saved from <see cref="StateTensors"/> and <see cref="Scalars"/> of an optimizer of the same type
    /// over parameters of the same names and shapes; values are copied into this optimizer's buffers.
    /// </summary>
    /// <exception cref="ArgumentException">A state tensor is missing, unexpected or of the wrong shape, or a parameter's step count is missing or negative; the message lists the problems.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is negative or not finite.</exception>
    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, OptimizerScalars scalars)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(scalars);
        var problems = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var k in StateKinds)
            for (int i = 0; i < _params.Length; i++)
            {
                string n = k.Prefix + "." + _params[i].Name;
                expected.Add(n);
                if (!tensors.TryGetValue(n, out var t)) problems.Add($"missing '{n}'");
                else if (!TensorShape.Equal(t._shape, k.Buffers[i]._shape)) problems.Add($"'{n}' has shape {TensorShape.Format(t._shape)}, expected {TensorShape.Format(k.Buffers[i]._shape)}");
            }
        foreach (var n in tensors.Keys) if (!expected.Contains(n)) problems.Add($"unexpected '{n}'");
        foreach (var (name, _) in _params)
            if (!scalars.ParameterSteps.TryGetValue(name, out var s)) problems.Add($"no step count for parameter '{name}'");
            else if (s < 0 || s > scalars.Step) problems.Add($"step count {s} of parameter '{name}' is outside [0, {scalars.Step}]");
        if (scalars.Step < 0) problems.Add($"step {scalars.Step} is negative");
        if (problems.Count > 0)
            throw new ArgumentException($"{GetType().Name}.LoadState: {problems.Count} problem(s): {string.Join("; ", problems.Take(8))}{(problems.Count > 8 ? "; …" : "")}");
        LearningRate = scalars.LearningRate;
        foreach (var k in StateKinds)
            for (int i = 0; i < _params.Length; i++)
                tensors[k.Prefix + "." + _params[i].Name].Contiguous().AsSpan().CopyTo(k.Buffers[i].AsSpan());
        StepCount = scalars.Step;
        for (int i = 0; i < _params.Length; i++) _paramSteps[i] = scalars.ParameterSteps[_params[i].Name];
    }
}
