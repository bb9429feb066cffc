namespace MixFlow.Tensors.Autograd;

/// <summary>Backward function of one op: receives the gradient of the op's output and accumulates into its inputs.</summary>
public delegate void BackwardFn(Tensor gradOutput);

/// <summary>A recorded op in the autograd graph: its inputs and its backward function.</summary>
public sealed class Node
{
    /// <summary>Creates a node.</summary>
    public Node(string name, Tensor[] inputs, BackwardFn backward) { Name = name; Inputs = inputs; Backward = backward; }

    /// <summary>The op's name, for error messages and debugging.</summary>
    public string Name { get; }

    /// <summary>The op's tensor inputs (all of them, whether or not they require grad).</summary>
    public Tensor[] Inputs { get; }

    /// <summary>The op's backward function.</summary>
    public BackwardFn Backward { get; }
}
