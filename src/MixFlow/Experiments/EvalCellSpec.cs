using System.Globalization;

namespace MixFlow.Experiments;

/// <summary>One evaluation cell: a model variant sampled with one sampler at one budget of network evaluations.</summary>
/// <param name="Variant">Variant id (a–e).</param>
/// <param name="Sampler">Integrator.</param>
/// <param name="Nfe">Network evaluations per sample (Heun: steps = NFE / 2; with guidance each evaluation runs the network on a doubled batch).</param>
/// <param name="Cfg">Classifier-free guidance scale (1 = none).</param>
public sealed record EvalCellSpec(string Variant, EvalSamplerKind Sampler, int Nfe, double Cfg)
{
    /// <summary>Integration steps of the sampler for <see cref="Nfe"/>.</summary>
    public int Steps => Sampler == EvalSamplerKind.Heun ? Nfe / 2 : Nfe;

    /// <summary>Stage name, e.g. <c>eval-b-heun-nfe20-cfg1.5</c>.</summary>
    public string Stage => string.Create(CultureInfo.InvariantCulture,
        $"eval-{Variant}-{SamplerName(Sampler)}-nfe{Nfe}{(Cfg != 1 ? $"-cfg{Cfg:0.###}" : "")}");

    /// <summary>Short sampler name used in stage names and tables.</summary>
    public static string SamplerName(EvalSamplerKind k) => k switch
    {
        EvalSamplerKind.Euler => "euler",
        EvalSamplerKind.Heun => "heun",
        EvalSamplerKind.EpsilonScaling => "eps-scaling",
        _ => "time-shift",
    };
}
