namespace MixFlow.Transport;

/// <summary>How <see cref="OdeLikelihood"/> computes div v.</summary>
public enum DivergenceMethod
{
    /// <summary>Exact when the per-sample dimension is ≤ <see cref="LikelihoodOptions.ExactMaxDimension"/>, Hutchinson above (default).</summary>
    Auto,
    /// <summary>Exact trace of the Jacobian: one backward pass per dimension.</summary>
    Exact,
    /// <summary>Hutchinson's estimator E[εᵀ·J·ε] with probes fixed for the whole trajectory.</summary>
    Hutchinson,
}

/// <summary>Distribution of the Hutchinson probes.</summary>
public enum ProbeDistribution
{
    /// <summary>Entries ±1 with probability ½ (lowest variance; default).</summary>
    Rademacher,
    /// <summary>Standard normal entries.</summary>
    Gaussian,
}
