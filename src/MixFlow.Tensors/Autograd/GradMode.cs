namespace MixFlow.Tensors.Autograd;

/// <summary>Thread-local switch for recording the autograd graph (PyTorch's <c>torch.no_grad()</c>).</summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>True when operations on tensors that require grad record a graph.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>Disables graph recording until the returned handle is disposed (<c>using (GradMode.NoGrad()) { … }</c>).</summary>
    public static NoGradScope NoGrad() { _disabledDepth++; return new NoGradScope(); }

    /// <summary>Handle returned by <see cref="NoGrad"/>.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Re-enables recording (if no outer no-grad scope is active).</summary>
        public void Dispose() => _disabledDepth--;
    }
}
