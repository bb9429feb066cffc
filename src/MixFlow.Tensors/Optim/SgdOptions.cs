using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.Optim;

/// <summary>Hyper-parameters of <see cref="Sgd"/> (semantics of PyTorch's <c>torch.optim.SGD</c>).</summary>
/// <param name="LearningRate">Step size (default 1e-2); must be finite and ≥ 0.</param>
/// <param name="Momentum">Momentum factor (default 0: plain SGD); in [0, 1).</param>
/// <param name="Dampening">Dampening of the momentum update (default 0); in [0, 1]; must be 0 with Nesterov.</param>
/// <param name="Nesterov">Nesterov momentum (default false); needs Momentum &gt; 0 and Dampening = 0.</param>
/// <param name="WeightDecay">L2 penalty added to the gradient, g + weightDecay·p (default 0); finite and ≥ 0.</param>
public sealed record SgdOptions(double LearningRate = 1e-2, double Momentum = 0, double Dampening = 0, bool Nesterov = false, double WeightDecay = 0)
{
    /// <summary>Chooses the parameters that receive the L2 penalty; null (the default) means every parameter, as in PyTorch.</summary>
    public Func<NamedTensor, bool>? WeightDecayFilter { get; init; }

    /// <summary>Checks every value; see the parameter docs for the allowed ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range; the message names the option, the value and the range.</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum or with dampening.</exception>
    public void Validate()
    {
        if (!(LearningRate >= 0) || double.IsInfinity(LearningRate)) throw Bad(nameof(LearningRate), LearningRate, "a finite value >= 0");
        if (!(Momentum >= 0 && Momentum < 1)) throw Bad(nameof(Momentum), Momentum, "[0, 1)");
        if (!(Dampening >= 0 && Dampening <= 1)) throw Bad(nameof(Dampening), Dampening, "[0, 1]");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw Bad(nameof(WeightDecay), WeightDecay, "a finite value >= 0");
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            throw new ArgumentException($"SgdOptions.Nesterov needs Momentum > 0 and Dampening = 0 (got Momentum = {Momentum}, Dampening = {Dampening})");
    }

    private static ArgumentOutOfRangeException Bad(string name, double v, string range)
        => new(name, v, $"SgdOptions.{name} = {v} is invalid; expected {range}");
}
