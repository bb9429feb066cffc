using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Distributed;

/// <summary>
/// A view of a flow model for one rank of a data-parallel step: called on the GLOBAL batch, it evaluates the network
/// only on this rank's rows [<see cref="Start"/>, Start + <see cref="Count"/>) and returns a global-shaped output whose
/// other rows are zero constants (no gradient flows through them). Label dropout of the network's
/// <see cref="LabelEmbedder"/>s (one uniform draw per label from the embedder's own generator) is kept in step with a
/// single-process run by drawing, before and after the real call, as many values as the other ranks' rows use.
/// </summary>
internal sealed class ShardFlowModel : IFlowModel
{
    private readonly IFlowModel _inner;
    private readonly IReadOnlyList<LabelEmbedder> _embedders;

    public ShardFlowModel(IFlowModel inner, int globalBatch, int start, int count, IReadOnlyList<LabelEmbedder> embedders)
    {
        _inner = inner; GlobalBatch = globalBatch; Start = start; Count = count; _embedders = embedders;
    }

    public int GlobalBatch { get; }
    public int Start { get; }
    public int Count { get; }

    /// <summary>Number of <see cref="Forward"/> calls so far.</summary>
    public int Calls { get; private set; }

    public int NumClasses => _inner.NumClasses;

    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        Calls++;
        if (x.Rank < 1 || x.Size(0) != GlobalBatch || t.Rank != 1 || t.Size(0) != GlobalBatch || (labels is not null && labels.Length != GlobalBatch))
            throw new InvalidOperationException($"data-parallel: the objective called the model with x {TensorShape.Format(x.Shape)}, t {TensorShape.Format(t.Shape)} and {labels?.Length.ToString() ?? "no"} labels; sharded evaluation needs the global batch of {GlobalBatch} rows");
        int end = Start + Count;
        var xs = x.Slice(0, Start, end).Contiguous();
        var ts = t.Slice(0, Start, end).Contiguous();
        int[]? ls = labels?[Start..end];
        if (labels is not null) AdvanceLabelDropout(Start);
        var f = _inner.Forward(xs, ts, ls);
        if (labels is not null) AdvanceLabelDropout(GlobalBatch - end);
        if (f.Rank < 1 || f.Size(0) != Count)
            throw new InvalidOperationException($"data-parallel: the model returned {TensorShape.Format(f.Shape)} for {Count} rows");
        var parts = new List<Tensor>(3);
        if (Start > 0) parts.Add(Tensor.Zeros([Start, .. f.Shape[1..]]));
        parts.Add(f);
        if (end < GlobalBatch) parts.Add(Tensor.Zeros([GlobalBatch - end, .. f.Shape[1..]]));
        return parts.Count == 1 ? f : Tensor.Concat(parts, 0);
    }

    private void AdvanceLabelDropout(int rows)
    {
        if (rows <= 0) return;
        foreach (var e in _embedders)
        {
            if (!e.Training || e.DropoutProb <= 0) continue;
            using var scope = new TensorScope();
            using var ng = GradMode.NoGrad();
            e.Forward(new int[rows], allowDrop: true);
        }
    }
}
