namespace MixFlow.Tensors.Nn;

/// <summary>
/// Applies its children in order (PyTorch's <c>nn.Sequential</c>); the children are named "0", "1", … so state-dict
/// names match PyTorch's (parameter-free layers such as activations take an index too).
/// </summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = new();

    /// <summary>Creates the container from its layers.</summary>
    /// <exception cref="ArgumentNullException">A layer is null.</exception>
    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    /// <summary>Appends a layer under the next index name.</summary>
    /// <exception cref="ArgumentNullException">The layer is null.</exception>
    public Sequential Add(Module<Tensor, Tensor> layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, Count).</exception>
    public Module<Tensor, Tensor> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_layers.Count) throw new ArgumentOutOfRangeException(nameof(index), $"Sequential: index {index} is outside [0, {_layers.Count})");
            return _layers[index];
        }
    }

    /// <summary>Runs the layers in order.</summary>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var l in _layers) x = l.Forward(x);
        return x;
    }
}
