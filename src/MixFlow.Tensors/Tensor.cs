using MixFlow.Tensors.Autograd;
using MixFlow.Tensors.Memory;

namespace MixFlow.Tensors;

/// <summary>
/// A float32, row-major, strided n-dimensional array with reverse-mode automatic differentiation.
/// Views (reshape of contiguous data, transpose, permute, slice, expand) share storage and cost no copy;
/// <see cref="Contiguous"/> materialises a view. Ops live in the partial files under <c>Ops/</c>.
/// </summary>
/// <remarks>
/// Memory: storage is rented from <see cref="BufferPool"/>; tensors created inside a <see cref="TensorScope"/> are
/// released when it ends. Autograd: a tensor that requires grad records the op that made it (<see cref="GradFn"/>)
/// unless <see cref="GradMode.NoGrad"/> is active; <see cref="Backward"/> accumulates gradients into leaves
/// (<c>Grad += …</c>, as PyTorch does).
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private Storage _storage;
    internal readonly int[] _shape;
    internal readonly int[] _strides;
    internal readonly int _offset;
    private readonly int _numel;
    private TensorScope? _scope;
    private bool _requiresGrad;
    private bool _released;

    internal Tensor(Storage storage, int[] shape, int[] strides, int offset, bool track = true)
    {
        _storage = storage;
        _shape = shape;
        _strides = strides;
        _offset = offset;
        _numel = TensorShape.Numel(shape);
        if (track && TensorScope.Current is { } s) { _scope = s; s.Register(this); }
    }

    // ---------------------------------------------------------------- creation

    /// <summary>An uninitialised contiguous tensor (contents undefined) drawn from the buffer pool.</summary>
    public static Tensor Empty(params int[] shape) => new(Storage.Rent(TensorShape.Numel(shape), clear: false), (int[])shape.Clone(), TensorShape.ContiguousStrides(shape), 0);

    internal static Tensor EmptyUntracked(int[] shape) => new(Storage.Rent(TensorShape.Numel(shape), clear: false), (int[])shape.Clone(), TensorShape.ContiguousStrides(shape), 0, track: false);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => new(Storage.Rent(TensorShape.Numel(shape), clear: true), (int[])shape.Clone(), TensorShape.ContiguousStrides(shape), 0);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Empty(shape);
        t.AsSpan().Fill(value);
        return t;
    }

    /// <summary>A rank-0 tensor holding one value.</summary>
    public static Tensor Scalar(float value) => Full(value);

    /// <summary>A tensor with a copy of <paramref name="data"/> in the given shape.</summary>
    /// <exception cref="ArgumentException">The data length does not equal the number of elements of the shape.</exception>
    public static Tensor FromArray(ReadOnlySpan<float> data, params int[] shape)
    {
        int n = TensorShape.Numel(shape);
        if (data.Length != n)
            throw new ArgumentException($"Tensor.FromArray: {data.Length} values cannot fill shape {TensorShape.Format(shape)} ({n} elements expected)");
        var t = Empty(shape);
        data.CopyTo(t.AsSpan());
        return t;
    }

    /// <summary>A 1-D tensor of the values <c>start, start+step, …</c> below <paramref name="stop"/>.</summary>
    public static Tensor Arange(float start, float stop, float step = 1f)
    {
        if (step == 0 || float.IsNaN(step)) throw new ArgumentException("Tensor.Arange: step must be a non-zero number");
        int n = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var t = Empty(n);
        var s = t.AsSpan();
        for (int i = 0; i < n; i++) s[i] = start + i * step;
        return t;
    }

    /// <summary>Standard normal samples from <paramref name="gen"/>.</summary>
    public static Tensor RandN(Generator gen, params int[] shape) { var t = Empty(shape); gen.FillNormal(t.AsSpan()); return t; }

    /// <summary>Uniform samples in [0, 1) from <paramref name="gen"/>.</summary>
    public static Tensor Rand(Generator gen, params int[] shape) { var t = Empty(shape); gen.FillUniform(t.AsSpan()); return t; }

    // ---------------------------------------------------------------- shape and data

    /// <summary>The dimensions (a copy).</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The element strides (a copy).</summary>
    public int[] Strides => (int[])_strides.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public int Numel => _numel;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => _shape[TensorShape.NormalizeAxis(dim, Rank, "Size")];

    /// <summary>An optional name used in error messages (parameters carry their state-dict name).</summary>
    public string? Name { get; set; }

    internal float[] Data => _storage.Data;
    internal int Offset => _offset;
    internal Storage StorageRef => _storage;

    /// <summary>True when the elements are laid out row-major without gaps, starting at the offset.</summary>
    public bool IsContiguous
    {
        get
        {
            int acc = 1;
            for (int i = _shape.Length - 1; i >= 0; i--)
            {
                if (_shape[i] == 1) continue;
                if (_strides[i] != acc) return false;
                acc *= _shape[i];
            }
            return true;
        }
    }

    /// <summary>The elements of a contiguous tensor as a span over its storage (writes go into the tensor).</summary>
    /// <exception cref="InvalidOperationException">The tensor is a non-contiguous view: call <see cref="Contiguous"/> first.</exception>
    public Span<float> AsSpan()
    {
        if (!IsContiguous) throw new InvalidOperationException($"AsSpan: tensor of shape {TensorShape.Format(_shape)} with strides {TensorShape.Format(_strides)} is not contiguous; call Contiguous() first");
        return Data.AsSpan(_offset, _numel);
    }

    internal ReadOnlySpan<float> ReadSpan() => AsSpan();

    /// <summary>A new array with the elements in row-major order.</summary>
    public float[] ToArray()
    {
        if (IsContiguous) return Data.AsSpan(_offset, _numel).ToArray();
        var r = new float[_numel];
        Kernels.Strided.CopyToContiguous(this, r);
        return r;
    }

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor holds more than one element.</exception>
    public float Item()
    {
        if (_numel != 1) throw new InvalidOperationException($"Item: tensor of shape {TensorShape.Format(_shape)} holds {_numel} elements; expected exactly 1");
        return Data[_offset];
    }

    /// <summary>Reads one element by its index in each dimension.</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params int[] index]
    {
        get => Data[ElementOffset(index)];
        set => Data[ElementOffset(index)] = value;
    }

    private int ElementOffset(int[] index)
    {
        if (index.Length != Rank) throw new ArgumentException($"indexer: {index.Length} indices given for a tensor of rank {Rank} (shape {TensorShape.Format(_shape)})");
        int o = _offset;
        for (int i = 0; i < index.Length; i++)
        {
            int ix = index[i] < 0 ? index[i] + _shape[i] : index[i];
            if (ix < 0 || ix >= _shape[i]) throw new IndexOutOfRangeException($"indexer: index {index[i]} is out of range for dimension {i} of size {_shape[i]} (shape {TensorShape.Format(_shape)})");
            o += ix * _strides[i];
        }
        return o;
    }

    // ---------------------------------------------------------------- autograd state

    /// <summary>Whether gradients flow to this tensor. Settable on leaves (tensors not produced by a recorded op).</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null && !value) throw new InvalidOperationException("RequiresGrad: cannot be cleared on a tensor produced by a recorded op; use Detach()");
            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient (same shape as the tensor), or null before the first backward pass.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The recorded op that produced this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; private set; }

    /// <summary>True when the tensor was not produced by a recorded op.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>When set on a non-leaf, its gradient is kept after <see cref="Backward"/> (PyTorch's retain_grad).</summary>
    public bool RetainGrad { get; set; }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (fluent form).</summary>
    public Tensor RequireGrad(bool value = true) { RequiresGrad = value; return this; }

    /// <summary>True when at least one input requires grad and recording is enabled.</summary>
    internal static bool AnyRequiresGrad(Tensor a) => GradMode.IsEnabled && a._requiresGrad;
    internal static bool AnyRequiresGrad(Tensor a, Tensor b) => GradMode.IsEnabled && (a._requiresGrad || b._requiresGrad);
    internal static bool AnyRequiresGrad(Tensor[] ts)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in ts) if (t._requiresGrad) return true;
        return false;
    }

    /// <summary>Records that this tensor was produced by op <paramref name="name"/> from <paramref name="inputs"/>.</summary>
    public Tensor WithGrad(string name, Tensor[] inputs, BackwardFn backward)
    {
        GradFn = new Node(name, inputs, backward);
        _requiresGrad = true;
        return this;
    }

    /// <summary>A tensor sharing this one's storage with no autograd history.</summary>
    public Tensor Detach()
    {
        _storage.AddRef();
        return new Tensor(_storage, _shape, _strides, _offset);
    }

    /// <summary>
    /// Adds <paramref name="g"/> into <see cref="Grad"/>, summing over broadcast dimensions when <paramref name="g"/>
    /// has the broadcast shape. Leaf gradients live outside any <see cref="TensorScope"/> so that they survive it.
    /// </summary>
    public void AccumulateGrad(Tensor g)
    {
        if (!TensorShape.Equal(g._shape, _shape)) g = SumToShape(g, _shape);
        if (Grad is null)
        {
            var dst = IsLeaf ? EmptyUntracked(_shape) : Empty(_shape);
            Kernels.Strided.CopyToContiguous(g, dst.Data.AsSpan(0, _numel));
            Grad = dst;
        }
        else
        {
            var gs = g.IsContiguous ? g.ReadSpan() : g.Contiguous().ReadSpan();
            var acc = Grad.AsSpan();
            Kernels.Par.Add(acc, gs, acc);
        }
    }

    /// <summary>
    /// <see cref="AccumulateGrad"/> for a gradient <paramref name="fresh"/> that the calling backward has just created
    /// for this tensor alone (contiguous, this tensor's shape, referenced nowhere else): a non-leaf without a gradient
    /// takes the buffer over instead of copying it; otherwise it is accumulated as usual.
    /// </summary>
    internal void AdoptOrAccumulateGrad(Tensor fresh)
    {
        if (Grad is null && !IsLeaf && fresh.IsContiguous && fresh._offset == 0 && TensorShape.Equal(fresh._shape, _shape)) { Grad = fresh; return; }
        AccumulateGrad(fresh);
    }

    /// <summary>
    /// <see cref="AccumulateGrad"/> of <paramref name="g"/>, the gradient that the backward of <paramref name="owner"/>
    /// received (its <see cref="Grad"/>), for ops whose gradient to this input is g itself: when this is a non-leaf
    /// without a gradient and the owner does not retain its gradient (the engine frees it right after the owner's
    /// backward), this tensor takes a second reference to g's buffer instead of copying it. Call it after the last
    /// read of g in the backward.
    /// </summary>
    public void AccumulateGradFrom(Tensor owner, Tensor g)
    {
        if (Grad is null && !IsLeaf && !ReferenceEquals(owner, this) && ReferenceEquals(owner.Grad, g) && !owner.RetainGrad
            && g.IsContiguous && g._offset == 0 && TensorShape.Equal(g._shape, _shape))
        {
            g._storage.AddRef();
            Grad = new Tensor(g._storage, _shape, g._strides, 0);
            return;
        }
        AccumulateGrad(g);
    }

    /// <summary>
    /// The gradient buffer to write this tensor's gradient into, for ops whose kernels accumulate with a beta factor
    /// (GEMM): returns the existing <see cref="Grad"/> with <paramref name="beta"/> = 1, or a new buffer with beta = 0.
    /// </summary>
    internal Tensor GradTarget(out float beta)
    {
        if (Grad is not null && Grad.IsContiguous) { beta = 1f; return Grad; }
        if (Grad is not null) { Grad = Grad.Contiguous(); beta = 1f; return Grad; }
        Grad = IsLeaf ? EmptyUntracked(_shape) : Empty(_shape);
        beta = 0f;
        return Grad;
    }

    /// <summary>Sets the gradient to zero in place (keeps its buffer).</summary>
    public void ZeroGrad() { if (Grad is not null) Grad.AsSpan().Clear(); }

    /// <summary>Runs reverse-mode differentiation from this tensor.</summary>
    /// <param name="gradient">d(objective)/d(this); may be omitted for a one-element tensor (taken as 1).</param>
    /// <exception cref="InvalidOperationException">The tensor does not require grad, or has more than one element and no gradient was given.</exception>
    public void Backward(Tensor? gradient = null) => BackwardEngine.Run(this, gradient);

    internal void ClearGradFn() => GradFn = null;

    // ---------------------------------------------------------------- lifetime

    /// <summary>Moves the tensor out of the current <see cref="TensorScope"/> into the enclosing one (or to the GC).</summary>
    public Tensor MoveToOuterScope()
    {
        var s = _scope;
        _scope = null;
        s?.Forget(this);
        return this;
    }

    /// <summary>Releases the storage reference now (the buffer returns to the pool when no view uses it).</summary>
    public void Dispose() => DisposeStorage();

    internal void DisposeStorage()
    {
        if (_released) return;
        _released = true;
        _storage.Release();
    }

    /// <summary>True until the tensor is disposed.</summary>
    public bool IsAlive => !_released && _storage.IsAlive;

    /// <summary>Shape and the first values, e.g. <c>Tensor[2, 3] (0.1, 0.2, 0.3, …)</c>.</summary>
    public override string ToString()
    {
        if (!IsAlive) return $"Tensor{TensorShape.Format(_shape)} (disposed)";
        var v = ToArray();
        var head = string.Join(", ", v.Take(8).Select(x => x.ToString("G5", System.Globalization.CultureInfo.InvariantCulture)));
        return $"Tensor{TensorShape.Format(_shape)} ({head}{(v.Length > 8 ? ", …" : "")}){(RequiresGrad ? " requires_grad" : "")}";
    }
}
