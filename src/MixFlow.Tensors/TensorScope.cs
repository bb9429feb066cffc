namespace MixFlow.Tensors;

/// <summary>
/// Collects every tensor created on this thread while it is active and disposes them when it ends, returning their
/// buffers to the pool. A training step runs inside one scope, so that in steady state it allocates (almost) no new
/// memory. Parameters, gradients of leaf tensors and optimizer state are created outside scopes and live on.
/// </summary>
/// <example><code>
/// using (var scope = new TensorScope())
/// {
///     var loss = model.Forward(x).Sub(y).Square().Mean();
///     loss.Backward();
///     lossValue = loss.Item();
/// } // every intermediate tensor is released here
/// </code></example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    private readonly TensorScope? _outer;
    private readonly List<Tensor> _tensors = new();
    private bool _disposed;

    /// <summary>Opens a scope; it becomes the current scope of this thread until disposed.</summary>
    public TensorScope() { _outer = _current; _current = this; }

    internal static TensorScope? Current => _current;

    /// <summary>Number of tensors this scope will release.</summary>
    public int Count => _tensors.Count;

    internal void Register(Tensor t) => _tensors.Add(t);

    /// <summary>Moves a tensor from this scope to the enclosing one (or to none: then the GC owns it).</summary>
    internal void Forget(Tensor t)
    {
        int i = _tensors.LastIndexOf(t);
        if (i >= 0)
        {
            _tensors.RemoveAt(i);
            _outer?.Register(t);
        }
    }

    /// <summary>Disposes every tensor created in the scope that was not moved out.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_current == this) _current = _outer;
        foreach (var t in _tensors) t.DisposeStorage();
        _tensors.Clear();
    }
}
