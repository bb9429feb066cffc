namespace MixFlow.Transport;

/// <summary>The terms of the last <see cref="RepaObjective"/> loss, for logging.</summary>
/// <param name="Inner">The inner objective's loss.</param>
/// <param name="Repa">The alignment loss (negative cosine similarity, in [−1, 1]).</param>
/// <param name="Total">Inner + λ·Repa.</param>
public sealed record RepaLossTerms(double Inner, double Repa, double Total);
