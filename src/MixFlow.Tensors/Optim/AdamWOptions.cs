using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.Optim;

/// <summary>Hyper-parameters of <see cref="AdamW"/> (defaults as PyTorch's <c>torch.optim.AdamW</c>).</summary>
/// <param name="LearningRate">Step size (default 1e-3); must be finite and ≥ 0. Can be changed between steps through <see cref="Optimizer.LearningRate"/>.</param>
/// <param name="Beta1">Decay of the first-moment average (default 0.9); in [0, 1).</param>
/// <param name="Beta2">Decay of the second-moment average (default 0.999); in [0, 1).</param>
/// <param name="Eps">Added to the bias-corrected root of the second moment (default 1e-8); finite and &gt; 0.</param>
/// <param name="WeightDecay">Decoupled weight decay: each step multiplies a decayed parameter by (1 − lr·weightDecay) (default 0.01); finite and ≥ 0.</param>
public sealed record AdamWOptions(double LearningRate = 1e-3, double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8, double WeightDecay = 0.01)
{
    /// <summary>Chooses the parameters that receive weight decay; null (the default) means <see cref="WeightDecayFilters.RankAtLeast2"/>: matrices and larger, not biases or gains.</summary>
    public Func<NamedTensor, bool>? WeightDecayFilter { get; init; }

    /// <summary>Checks every value; see the parameter docs for the allowed ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range; the message names the option, the value and the range.</exception>
    public void Validate()
    {
        if (!(LearningRate >= 0) || double.IsInfinity(LearningRate)) throw Bad(nameof(LearningRate), LearningRate, "a finite value >= 0");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw Bad(nameof(Beta1), Beta1, "[0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw Bad(nameof(Beta2), Beta2, "[0, 1)");
        if (!(Eps > 0) || double.IsInfinity(Eps)) throw Bad(nameof(Eps), Eps, "a finite value > 0");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw Bad(nameof(WeightDecay), WeightDecay, "a finite value >= 0");
    }

    private static ArgumentOutOfRangeException Bad(string name, double v, string range)
        => new(name, v, $"AdamWOptions.{name} = {v} is invalid; expected {range}");
}
