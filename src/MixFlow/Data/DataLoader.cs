using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MixFlow.Tensors;

namespace MixFlow.Data;

/// <summary>
/// Yields fixed-size batches of a data set, epoch after epoch, with seeded per-epoch shuffling and an optional
/// background prefetch. The batch sequence depends only on the options and the start <see cref="LoaderState"/>,
/// never on timing: batch i of epoch e is built from the permutation of <c>Generator(mix(Seed, e))</c>, so any epoch
/// can be regenerated and a saved <see cref="State"/> resumes exactly. Single consumer: call <see cref="Next"/> from
/// one thread at a time.
/// </summary>
/// <example><code>
/// using var loader = new DataLoader(FashionMnist.Load(), new DataLoaderOptions { BatchSize = 128, Seed = 1 });
/// for (int step = 0; step &lt; steps; step++)
/// {
///     using var batch = loader.Next();
///     // train on batch.X, batch.Labels; checkpoint loader.State to resume
/// }
/// </code></example>
public sealed class DataLoader : IDisposable
{
    private const ulong FlipSalt = 0x5F1E_F11Bu;
    private readonly IDataset _dataset;
    private readonly int _sampleSize;
    private readonly int[] _sampleShape;
    private readonly object _permLock = new();
    // the two most recent epochs' permutations: the prefetch thread may be one epoch ahead of a GetBatch caller
    private readonly int[] _permEpochs = [-1, -1];
    private readonly int[]?[] _perms = new int[]?[2];

    private LoaderState _state;
    private BlockingCollection<Item>? _queue;
    private CancellationTokenSource? _cts;
    private Task? _worker;
    private ExceptionDispatchInfo? _fault;
    private bool _disposed;

    private readonly record struct Item(Batch? Batch, ExceptionDispatchInfo? Error);

    /// <summary>The options.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>The data set.</summary>
    public IDataset Dataset => _dataset;

    /// <summary>Global batches per epoch (N / BatchSize, rounded down with DropLast, up without).</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Samples per batch on this rank (BatchSize / WorldSize); the last batch of an epoch may be smaller when
    /// DropLast is false.</summary>
    public int LocalBatchSize => Options.BatchSize / Options.WorldSize;

    /// <summary>The position of the next batch <see cref="Next"/> returns (save it to resume).</summary>
    public LoaderState State => _state;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The data set.</param>
    /// <param name="options">The options (default <see cref="DataLoaderOptions"/>).</param>
    /// <param name="start">Where to start (default epoch 0, batch 0).</param>
    /// <exception cref="ArgumentException">Invalid options (non-positive batch size, a batch size not divisible by the
    /// world size, a rank outside [0, WorldSize), negative prefetch, sharding without DropLast, flips on non-image
    /// samples), a data set with fewer samples than one batch under DropLast, or an invalid start state.</exception>
    public DataLoader(IDataset dataset, DataLoaderOptions? options = null, LoaderState? start = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var o = options ?? new DataLoaderOptions();
        if (o.BatchSize < 1) throw new ArgumentException($"DataLoader: BatchSize must be ≥ 1, got {o.BatchSize}");
        if (o.WorldSize < 1) throw new ArgumentException($"DataLoader: WorldSize must be ≥ 1, got {o.WorldSize}");
        if (o.Rank < 0 || o.Rank >= o.WorldSize) throw new ArgumentException($"DataLoader: Rank {o.Rank} outside [0, {o.WorldSize})");
        if (o.BatchSize % o.WorldSize != 0) throw new ArgumentException($"DataLoader: BatchSize {o.BatchSize} is not divisible by WorldSize {o.WorldSize}");
        if (o.WorldSize > 1 && !o.DropLast) throw new ArgumentException("DataLoader: sharding (WorldSize > 1) requires DropLast = true so that every rank gets equal batches");
        if (o.Prefetch < 0) throw new ArgumentException($"DataLoader: Prefetch must be ≥ 0, got {o.Prefetch}");
        _dataset = dataset;
        _sampleShape = dataset.SampleShape;
        _sampleSize = dataset.SampleSize();
        if (o.HorizontalFlip && _sampleShape.Length != 3)
            throw new ArgumentException($"DataLoader: HorizontalFlip needs image samples [C, H, W], the data set has samples [{string.Join(", ", _sampleShape)}]");
        int n = dataset.Count;
        BatchesPerEpoch = o.DropLast ? n / o.BatchSize : (n + o.BatchSize - 1) / o.BatchSize;
        if (BatchesPerEpoch == 0) throw new ArgumentException($"DataLoader: the data set has {n} samples, fewer than one batch of {o.BatchSize} (DropLast = {o.DropLast})");
        Options = o;
        _state = start ?? new LoaderState(0, 0);
        Validate(_state);
    }

    /// <summary>A loader over the same data set and options for rank <paramref name="rank"/> of
    /// <paramref name="worldSize"/>, starting at this loader's <see cref="State"/>: its batches are the
    /// <paramref name="rank"/>-th slices of the same global batches.</summary>
    /// <exception cref="ArgumentException">Invalid rank/world size (see the constructor).</exception>
    public DataLoader Shard(int rank, int worldSize) => new(_dataset, Options with { Rank = rank, WorldSize = worldSize }, _state);

    /// <summary>Moves to <paramref name="state"/>: the next batch returned is batch <c>state.Position</c> of epoch
    /// <c>state.Epoch</c>. Discards prefetched batches and clears a stored prefetch error.</summary>
    /// <exception cref="ArgumentException">Negative epoch, or a position outside [0, BatchesPerEpoch).</exception>
    public void Seek(LoaderState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Validate(state);
        StopWorker();
        _fault = null;
        _state = state;
    }

    /// <summary>Returns the next batch and advances <see cref="State"/> (to the next epoch after its last batch).</summary>
    /// <param name="cancellationToken">Cancels the wait for a prefetched batch.</param>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    /// <remarks>An exception thrown by the data set while preparing the batch (on the prefetch thread) is rethrown here
    /// with its original type, message and stack; it is rethrown again on later calls until <see cref="Seek"/>.</remarks>
    public Batch Next(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _fault?.Throw();
        Batch batch;
        if (Options.Prefetch == 0)
        {
            batch = GetBatch(_state);
        }
        else
        {
            if (_worker is null) StartWorker();
            var item = _queue!.Take(cancellationToken);
            if (item.Error is not null)
            {
                _fault = item.Error;
                StopWorker();
                item.Error.Throw();
            }
            batch = item.Batch!;
        }
        _state = Advance(_state);
        return batch;
    }

    /// <summary>Builds the batch at <paramref name="at"/> on the calling thread (no prefetch, no state change).</summary>
    /// <exception cref="ArgumentException">Invalid state.</exception>
    public Batch GetBatch(LoaderState at)
    {
        ArgumentNullException.ThrowIfNull(at);
        Validate(at);
        var o = Options;
        int n = _dataset.Count;
        int gStart = at.Position * o.BatchSize;
        int gCount = Math.Min(o.BatchSize, n - gStart);
        int local = gCount / o.WorldSize;           // equal to BatchSize / WorldSize except for a short last batch
        int lStart = gStart + o.Rank * local;
        var perm = o.Shuffle ? PermutationFor(at.Epoch) : null;
        var idx = new int[local];
        for (int j = 0; j < local; j++) idx[j] = perm is null ? lStart + j : perm[lStart + j];

        var shape = new int[_sampleShape.Length + 1];
        shape[0] = local;
        _sampleShape.CopyTo(shape, 1);
        var x = Tensor.Empty(shape);
        int[]? labels = _dataset.NumClasses > 0 ? new int[local] : null;
        try
        {
            var xs = x.AsSpan();
            _dataset.Fill(idx, xs, labels ?? Span<int>.Empty);
            if (o.HorizontalFlip)
                for (int j = 0; j < local; j++)
                    if ((SeedMix.Mix(o.Seed ^ FlipSalt, (ulong)at.Epoch, (ulong)(lStart + j)) & 1) != 0)
                        FlipW(xs.Slice(j * _sampleSize, _sampleSize), _sampleShape[2]);
        }
        catch
        {
            x.Dispose();
            throw;
        }
        return new Batch(x, labels, at.Epoch, at.Position);
    }

    /// <summary>The sample order of <paramref name="epoch"/> (a permutation of 0..Count−1; identity without shuffling).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative epoch.</exception>
    public int[] EpochOrder(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"DataLoader.EpochOrder: epoch must be ≥ 0, got {epoch}");
        if (!Options.Shuffle) { var id = new int[_dataset.Count]; for (int i = 0; i < id.Length; i++) id[i] = i; return id; }
        return (int[])PermutationFor(epoch).Clone();
    }

    /// <summary>Stops the prefetch thread and releases prefetched batches.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        StopWorker();
        _disposed = true;
    }

    private void Validate(LoaderState s)
    {
        if (s.Epoch < 0 || s.Position < 0 || s.Position >= BatchesPerEpoch)
            throw new ArgumentException($"DataLoader: state (epoch {s.Epoch}, position {s.Position}) invalid: epoch must be ≥ 0 and position in [0, {BatchesPerEpoch})");
    }

    private LoaderState Advance(LoaderState s) => s.Position + 1 >= BatchesPerEpoch ? new(s.Epoch + 1, 0) : new(s.Epoch, s.Position + 1);

    private int[] PermutationFor(int epoch)
    {
        lock (_permLock)
        {
            for (int i = 0; i < 2; i++)
                if (_permEpochs[i] == epoch && _perms[i] is { } hit) return hit;
            var p = new Generator(SeedMix.Mix(Options.Seed, (ulong)epoch)).Permutation(_dataset.Count);
            int slot = _permEpochs[0] < _permEpochs[1] ? 0 : 1; // replace the older epoch
            _permEpochs[slot] = epoch;
            _perms[slot] = p;
            return p;
        }
    }

    private static void FlipW(Span<float> chw, int w)
    {
        for (int r = 0; r < chw.Length; r += w) chw.Slice(r, w).Reverse();
    }

    private void StartWorker()
    {
        var queue = new BlockingCollection<Item>(Options.Prefetch);
        var cts = new CancellationTokenSource();
        var start = _state;
        var ct = cts.Token;
        _queue = queue;
        _cts = cts;
        _worker = Task.Factory.StartNew(() =>
        {
            var s = start;
            while (!ct.IsCancellationRequested)
            {
                Item item;
                try { item = new Item(GetBatch(s), null); }
                catch (Exception e) { item = new Item(null, ExceptionDispatchInfo.Capture(e)); }
                try { queue.Add(item, ct); }
                catch (OperationCanceledException) { item.Batch?.Dispose(); return; }
                if (item.Error is not null) return;
                s = Advance(s);
            }
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void StopWorker()
    {
        if (_worker is null) return;
        _cts!.Cancel();
        try { _worker.Wait(); } catch (AggregateException) { }
        while (_queue!.TryTake(out var item)) item.Batch?.Dispose();
        _queue.Dispose();
        _cts.Dispose();
        _worker = null; _queue = null; _cts = null;
    }
}
