namespace MixFlow.Evaluation;

/// <summary>Improved precision and recall (Kynkäänniemi et al. 2019).</summary>
/// <param name="Precision">Fraction of generated features inside the real k-NN manifold.</param>
/// <param name="Recall">Fraction of real features inside the generated k-NN manifold.</param>
/// <param name="K">The k of the k-NN radii.</param>
public sealed record PrecisionRecallResult(double Precision, double Recall, int K);
