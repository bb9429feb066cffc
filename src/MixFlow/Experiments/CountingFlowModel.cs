using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Experiments;

/// <summary>Wraps a flow model and counts its forward calls (network evaluations), to state NFE as measured.</summary>
public sealed class CountingFlowModel(IFlowModel inner) : IFlowModel
{
    /// <summary>Forward calls so far.</summary>
    public long Calls { get; private set; }

    /// <inheritdoc/>
    public int NumClasses => inner.NumClasses;

    /// <inheritdoc/>
    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        Calls++;
        return inner.Forward(x, t, labels);
    }
}
