namespace MixFlow.Tensors.Autograd;

/// <summary>Reverse-mode sweep over the recorded graph: topological order, then each node's backward once.</summary>
internal static class BackwardEngine
{
    internal static void Run(Tensor root, Tensor? gradient)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward: tensor of shape {TensorShape.Format(root._shape)} does not require grad (no input of the graph has RequiresGrad = true, or it was computed under NoGrad)");
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException($"Backward: a gradient must be given for a tensor of shape {TensorShape.Format(root._shape)}; only one-element tensors default to 1");
            gradient = Tensor.Full(1f, root.Shape);
        }
        else if (!TensorShape.Equal(gradient._shape, root._shape))
            throw new ArgumentException($"Backward: gradient of shape {TensorShape.Format(gradient._shape)} given for a tensor of shape {TensorShape.Format(root._shape)}; expected equal shapes");

        var order = TopologicalOrder(root);
        using (GradMode.NoGrad())
        {
            root.AccumulateGrad(gradient);
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                var node = t.GradFn!;
                if (t.Grad is { } g)
                {
                    node.Backward(g);
                    if (!t.RetainGrad)
                    {
                        t.Grad = null;
                        g.DisposeStorage();
                    }
                }
            }
        }
        // Free the graph: the inputs captured by the closures become collectable.
        foreach (var t in order) t.ClearGradFn();
    }

    /// <summary>Non-leaf tensors reachable from the root, each after all of its inputs (post-order DFS).</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor t, int next)>();
        if (root.GradFn is null) return order;
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn!.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var c = inputs[next];
                if (c.GradFn is not null && c.RequiresGrad && visited.Add(c)) stack.Push((c, 0));
            }
            else order.Add(t);
        }
        return order;
    }
}
