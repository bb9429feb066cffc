using System.Threading;

namespace MixFlow.Tensors.Memory;

/// <summary>
/// The buffer behind one or more tensors (a tensor and its views share one storage). Reference counted: the buffer
/// goes back to <see cref="BufferPool"/> when the last tensor using it is disposed.
/// </summary>
internal sealed class Storage
{
    private float[]? _data;
    private int _refs = 1;
    private readonly bool _pooled;

    internal Storage(float[] data, bool pooled) { _data = data; _pooled = pooled; }

    internal static Storage Rent(int length, bool clear) => new(BufferPool.Rent(length, clear), pooled: true);

    internal float[] Data => _data ?? throw new ObjectDisposedException("Tensor", "the tensor's storage was released (the tensor was disposed, or the TensorScope it was created in ended); keep it alive with MoveToOuterScope() or create it outside the scope");

    internal bool IsAlive => _data is not null;

    internal void AddRef() => Interlocked.Increment(ref _refs);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _refs) != 0) return;
        var d = _data;
        _data = null;
        if (d is not null && _pooled) BufferPool.Return(d);
    }
}
