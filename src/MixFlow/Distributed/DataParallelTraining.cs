using System.Buffers.Binary;
using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;
using MixFlow.Training;

namespace MixFlow.Distributed;

/// <summary>
/// Data-parallel training of one <see cref="TrainingSession"/> per rank (used by <see cref="Trainer"/>). With one rank
/// every method reduces to the plain single-process step. With N ranks:
/// <list type="bullet">
/// <item>the session's loader is replaced by its shard (<see cref="DataLoader.Shard"/>): rank r gets the r-th
/// contiguous slice of every GLOBAL batch of <see cref="TrainConfig.BatchSize"/> samples;</item>
/// <item>rank 0's complete state (weights, EMA, optimizer moments, random stream, loader position, step counters) is
/// broadcast at <see cref="Attach"/>, so all ranks start identical;</item>
/// <item><see cref="Loss"/> places the shard in a zero global batch and evaluates the objective on it, so the
/// objective draws times and noise for the whole global batch from the (identical) training generator exactly as a
/// single process would, while the network runs only on this rank's rows (<see cref="ShardFlowModel"/>); the
/// gradient of the global mean then only has this rank's terms, and the SUM over ranks
/// (<see cref="SumGradients"/>, bucketed MPI_Allreduce) is the gradient of the global batch — the average of the
/// ranks' shard-mean gradients;</item>
/// <item>the loss value is the allreduced sum of the ranks' per-sample losses over the global batch size, so a
/// non-finite loss on any rank is non-finite on every rank and all skip the step together; a non-finite gradient
/// spreads through the gradient sum in the same way.</item>
/// </list>
/// Requirements on the objective (all objectives of <see cref="ObjectiveKind"/> meet them): it calls the model once,
/// its loss is the mean of its per-sample losses, and the network treats samples independently.
/// </summary>
public sealed class DataParallelTraining
{
    private readonly TrainingSession _s;
    private readonly GradientAllreducer _reducer;
    private readonly IReadOnlyList<LabelEmbedder> _embedders;

    private DataParallelTraining(TrainingSession session, IWorld world, int bucketBytes)
    {
        _s = session; World = world;
        _reducer = new GradientAllreducer(world, bucketBytes);
        _embedders = FindLabelEmbedders(session.Model);
    }

    /// <summary>The ranks.</summary>
    public IWorld World { get; }

    /// <summary>The gradient reducer (for statistics).</summary>
    public GradientAllreducer Reducer => _reducer;

    /// <summary>
    /// Prepares a session for training on <paramref name="world"/>: shards its loader and broadcasts rank 0's state
    /// (nothing is changed on a single rank). Every rank must call it at the same point.
    /// </summary>
    /// <param name="session">This rank's session (built from the same configuration on every rank).</param>
    /// <param name="world">The ranks.</param>
    /// <param name="bucketBytes">Gradient bucket size (default <see cref="GradientAllreducer.DefaultBucketBytes"/>).</param>
    /// <exception cref="ConfigException">The global batch size is not divisible by the number of ranks (key <c>batch-size</c>).</exception>
    /// <exception cref="InvalidOperationException">The ranks' model, EMA or optimizer state differ in layout.</exception>
    /// <exception cref="MpiException">An MPI call failed.</exception>
    public static DataParallelTraining Attach(TrainingSession session, IWorld world, int bucketBytes = GradientAllreducer.DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(world);
        var dp = new DataParallelTraining(session, world, bucketBytes);
        if (world.Size == 1) return dp;
        var o = session.Data.Options;
        if (o.Rank != world.Rank || o.WorldSize != world.Size)
        {
            if (o.BatchSize % world.Size != 0)
                throw new ConfigException("batch-size", $"batch-size: the global batch of {o.BatchSize} samples is not divisible by the {world.Size} MPI ranks (every rank takes an equal shard of each batch)");
            var old = session.Data;
            session.Data = old.Shard(world.Rank, world.Size);
            old.Dispose();
        }
        dp.BroadcastState();
        return dp;
    }

    /// <summary>Samples in the global batch of which <paramref name="batch"/> is this rank's shard.</summary>
    public int GlobalBatchSize(Batch batch) => batch.X.Size(0) * World.Size;

    /// <summary>
    /// The step's loss for this rank's shard <paramref name="batch"/>: single process — the objective on the batch;
    /// several ranks — see the class remarks. Draws from <see cref="TrainingSession.Rng"/> exactly as a single
    /// process on the global batch does.
    /// </summary>
    /// <exception cref="InvalidOperationException">The objective does not call the model exactly once on the global batch.</exception>
    /// <exception cref="MpiException">An MPI call failed.</exception>
    public StepLoss Loss(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (World.Size == 1)
        {
            var l = _s.Objective.Loss(_s.Flow, batch.X, batch.Labels, _s.Rng).Loss;
            return new StepLoss(l, l.Item());
        }
        int local = batch.X.Size(0), global = local * World.Size, start = World.Rank * local;
        int per = batch.X.Numel / Math.Max(local, 1);
        var xg = Tensor.Zeros([global, .. batch.X.Shape[1..]]);
        batch.X.Contiguous().AsSpan().CopyTo(xg.AsSpan().Slice(start * per, local * per));
        int[]? lg = null;
        if (batch.Labels is { } lb)
        {
            lg = new int[global];
            lb.CopyTo(lg, start);
        }
        var model = new ShardFlowModel(_s.Flow, global, start, local, _embedders);
        var ol = _s.Objective.Loss(model, xg, lg, _s.Rng);
        if (model.Calls != 1)
            throw new InvalidOperationException($"data-parallel: the objective {_s.Objective.GetType().Name} called the model {model.Calls} times in one step; sharded evaluation needs exactly one call");
        var ps = ol.PerSample.Contiguous().AsSpan();
        if (ps.Length != global)
            throw new InvalidOperationException($"data-parallel: the objective returned {ps.Length} per-sample losses for a global batch of {global}");
        double partial = 0;
        for (int i = start; i < start + local; i++) partial += ps[i];
        Span<double> v = [partial];
        World.AllreduceSum(v, "allreduce(loss)");
        return new StepLoss(ol.Loss, v[0] / global);
    }

    /// <summary>Replaces every parameter gradient by its sum over the ranks (the global-batch gradient; no-op on one rank).</summary>
    /// <exception cref="InvalidOperationException">Gradient layouts differ between ranks.</exception>
    /// <exception cref="MpiException">An MPI call failed.</exception>
    public void SumGradients(IReadOnlyList<Tensor> parameters) => _reducer.SumGradients(parameters);

    /// <summary>True on every rank when any rank asks to stop (e.g. Ctrl-C reached only some of them).</summary>
    /// <exception cref="MpiException">An MPI call failed.</exception>
    public bool AgreeToStop(bool stopHere)
    {
        if (World.Size == 1) return stopHere;
        Span<double> v = [stopHere ? 1 : 0];
        World.AllreduceMax(v, "allreduce(stop flag)");
        return v[0] > 0;
    }

    private void BroadcastState()
    {
        var sd = _s.Model.StateDict();
        CheckSameCount(sd.Sum(t => (long)t.Tensor.Numel) * 4096 + sd.Count, "model tensors (count and size)");
        foreach (var t in sd) World.Broadcast(t.Tensor.Contiguous().AsSpan(), 0, "broadcast(model)");
        CheckSameCount(_s.Ema.StateDict().Count, "EMA tensors");
        foreach (var t in _s.Ema.StateDict()) if (t.Name != Ema.StepsKey) World.Broadcast(t.Tensor.AsSpan(), 0, "broadcast(ema)");
        var opt = _s.Optimizer.StateTensors();
        CheckSameCount(opt.Count, "optimizer state tensors");
        foreach (var t in opt) World.Broadcast(t.Tensor.AsSpan(), 0, "broadcast(optimizer)");
        // Scalars: step counters, loader position, random stream.
        Span<byte> b = stackalloc byte[4 * 4 + 4 * 8];
        var st = _s.Rng.GetState();
        BinaryPrimitives.WriteInt32LittleEndian(b, _s.Step);
        BinaryPrimitives.WriteInt32LittleEndian(b[4..], _s.SkippedSteps);
        BinaryPrimitives.WriteInt32LittleEndian(b[8..], _s.Data.State.Epoch);
        BinaryPrimitives.WriteInt32LittleEndian(b[12..], _s.Data.State.Position);
        BinaryPrimitives.WriteUInt64LittleEndian(b[16..], st.S0);
        BinaryPrimitives.WriteUInt64LittleEndian(b[24..], st.S1);
        BinaryPrimitives.WriteUInt64LittleEndian(b[32..], st.S2);
        BinaryPrimitives.WriteUInt64LittleEndian(b[40..], st.S3);
        World.Broadcast(b, 0, "broadcast(state)");
        if (World.IsRoot) return;
        _s.Step = BinaryPrimitives.ReadInt32LittleEndian(b);
        _s.SkippedSteps = BinaryPrimitives.ReadInt32LittleEndian(b[4..]);
        var ls = new LoaderState(BinaryPrimitives.ReadInt32LittleEndian(b[8..]), BinaryPrimitives.ReadInt32LittleEndian(b[12..]));
        if (ls != _s.Data.State) _s.Data.Seek(ls);
        _s.Rng.SetState(new GeneratorState(BinaryPrimitives.ReadUInt64LittleEndian(b[16..]), BinaryPrimitives.ReadUInt64LittleEndian(b[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(b[32..]), BinaryPrimitives.ReadUInt64LittleEndian(b[40..])));
    }

    private void CheckSameCount(long count, string what)
    {
        Span<double> v = [count, -count];
        World.AllreduceMax(v, "allreduce-max(state layout)");
        if (v[0] != -v[1])
            throw new InvalidOperationException($"data-parallel: rank {World.Rank} has {count} {what}, other ranks have between {-v[1]} and {v[0]}; every rank must build the same session");
    }

    private static IReadOnlyList<LabelEmbedder> FindLabelEmbedders(Module m)
    {
        var r = new List<LabelEmbedder>();
        void Walk(Module x)
        {
            if (x is LabelEmbedder e) r.Add(e);
            foreach (var (_, c) in x.Children) Walk(c);
        }
        Walk(m);
        return r;
    }
}
