namespace MixFlow.Tensors.Nn;

/// <summary>
/// An indexed list of child modules named "0", "1", … (PyTorch's <c>nn.ModuleList</c>), e.g. the transformer blocks
/// of a model; the owner decides how to call them.
/// </summary>
/// <typeparam name="T">Module type of the items.</typeparam>
public sealed class ModuleList<T> : Module where T : Module
{
    private readonly List<T> _items = new();

    /// <summary>Creates the list from its items.</summary>
    public ModuleList(IEnumerable<T> items)
    {
        foreach (var m in items) Add(m);
    }

    /// <summary>Appends an item under the next index name.</summary>
    /// <exception cref="ArgumentNullException">The item is null.</exception>
    public void Add(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), item);
        _items.Add(item);
    }

    /// <summary>Number of items.</summary>
    public int Count => _items.Count;

    /// <summary>The items in order.</summary>
    public IReadOnlyList<T> Items => _items;

    /// <summary>The item at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, Count).</exception>
    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_items.Count) throw new ArgumentOutOfRangeException(nameof(index), $"ModuleList: index {index} is outside [0, {_items.Count})");
            return _items[index];
        }
    }
}
