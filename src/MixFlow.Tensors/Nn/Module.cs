namespace MixFlow.Tensors.Nn;

/// <summary>A named tensor of a module's state (a parameter or a buffer), named with PyTorch's dotted path, e.g. <c>blocks.0.attn.qkv.weight</c>.</summary>
public sealed record NamedTensor(string Name, Tensor Tensor);

/// <summary>
/// Base class of network building blocks (PyTorch's <c>nn.Module</c>): registered parameters, buffers and child
/// modules, each under a name; the state dict joins them with dots in registration order; train/eval mode.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = new();
    private readonly List<(string Name, Tensor Tensor)> _buffers = new();
    private readonly List<(string Name, Module Module)> _children = new();

    /// <summary>True in training mode (dropout active, label dropout active …); see <see cref="Train"/> and <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a trainable parameter (sets RequiresGrad) and returns it.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        value.MoveToOuterScope();
        value.RequiresGrad = true;
        value.Name = name;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers a non-trainable tensor that is part of the state (running statistics, fixed embeddings).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        value.MoveToOuterScope();
        value.Name = name;
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Registers a child module and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: invalid state name '{name}' (expected a non-empty name without dots)");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is registered twice");
    }

    /// <summary>Direct children with their names.</summary>
    public IEnumerable<(string Name, Module Module)> Children => _children;

    /// <summary>All parameters of this module and its descendants with dotted names.</summary>
    public IEnumerable<NamedTensor> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in _parameters) yield return new NamedTensor(prefix + n, p);
        foreach (var (n, c) in _children)
            foreach (var np in c.NamedParameters(prefix + n + ".")) yield return np;
    }

    /// <summary>All buffers of this module and its descendants with dotted names.</summary>
    public IEnumerable<NamedTensor> NamedBuffers(string prefix = "")
    {
        foreach (var (n, b) in _buffers) yield return new NamedTensor(prefix + n, b);
        foreach (var (n, c) in _children)
            foreach (var nb in c.NamedBuffers(prefix + n + ".")) yield return nb;
    }

    /// <summary>All parameters (for optimizers).</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor);

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount => NamedParameters().Sum(p => (long)p.Tensor.Numel);

    /// <summary>Parameters and buffers by dotted name, in registration order (PyTorch's <c>state_dict()</c>).</summary>
    public IReadOnlyList<NamedTensor> StateDict() => NamedParameters().Concat(NamedBuffers()).ToList();

    /// <summary>
    /// Copies values into this module's parameters and buffers in place (so optimizers keep their references).
    /// </summary>
    /// <param name="state">Tensors by dotted name.</param>
    /// <param name="strict">When true, missing and unexpected names are errors.</param>
    /// <exception cref="ArgumentException">Names or shapes do not fit; the message lists the first mismatches with their shapes.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var problems = new List<string>();
        foreach (var (name, t) in own)
        {
            if (!state.TryGetValue(name, out var src)) { if (strict) problems.Add($"missing '{name}' (expected shape {TensorShape.Format(t.Shape)})"); continue; }
            if (!TensorShape.Equal(src.Shape, t.Shape)) problems.Add($"'{name}': checkpoint shape {TensorShape.Format(src.Shape)}, model expects {TensorShape.Format(t.Shape)}");
        }
        if (strict)
        {
            var names = own.Select(o => o.Name).ToHashSet();
            foreach (var k in state.Keys) if (!names.Contains(k)) problems.Add($"unexpected '{k}' (shape {TensorShape.Format(state[k].Shape)})");
        }
        if (problems.Count > 0)
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: {problems.Count} problem(s): {string.Join("; ", problems.Take(8))}{(problems.Count > 8 ? "; …" : "")}");
        foreach (var (name, t) in own)
            if (state.TryGetValue(name, out var src))
                src.Contiguous().AsSpan().CopyTo(t.AsSpan());
    }

    /// <summary>Sets training mode on this module and all descendants.</summary>
    public virtual void Train(bool training = true)
    {
        Training = training;
        foreach (var (_, c) in _children) c.Train(training);
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>).</summary>
    public void Eval() => Train(false);

    /// <summary>Clears the gradients of all parameters (sets them to zero, keeping their buffers).</summary>
    public void ZeroGrad() { foreach (var p in Parameters()) p.ZeroGrad(); }
}

/// <summary>A module with one input and one output.</summary>
public abstract class Module<TIn, TOut> : Module
{
    /// <summary>Computes the module's output.</summary>
    public abstract TOut Forward(TIn input);
}
