using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// A path together with what the network predicts: resolves the time epsilons, evaluates a model and converts its
/// output into any other quantity (velocity for ODEs, velocity and score for SDEs, x̂1 for Tweedie).
/// </summary>
public sealed class FlowTransport
{
    /// <summary>Creates a transport.</summary>
    /// <param name="options">Options (default: linear path, velocity prediction).</param>
    /// <param name="path">A path instance overriding <see cref="TransportOptions.Path"/> (e.g. a VP path with custom β).</param>
    /// <exception cref="ArgumentOutOfRangeException">Invalid options.</exception>
    public FlowTransport(TransportOptions? options = null, IInterpolationPath? path = null)
    {
        Options = options ?? new TransportOptions();
        Options.Validate();
        Path = path ?? InterpolationPaths.Create(Options.Path);
        bool vp = Path.Kind == PathKind.Vp;
        bool nonVelocity = Options.Prediction != PredictionType.Velocity;
        TrainEps = Options.TrainEps ?? (vp ? 1e-5 : nonVelocity ? 1e-3 : 0);
        SampleEps = Options.SampleEps ?? (vp || nonVelocity ? 1e-3 : 0);
    }

    /// <summary>The options.</summary>
    public TransportOptions Options { get; }

    /// <summary>The interpolation path.</summary>
    public IInterpolationPath Path { get; }

    /// <summary>What the network outputs.</summary>
    public PredictionType Prediction => Options.Prediction;

    /// <summary>The resolved training epsilon.</summary>
    public double TrainEps { get; }

    /// <summary>The resolved sampling epsilon.</summary>
    public double SampleEps { get; }

    /// <summary>
    /// Training times: VP [0, 1 − eps] (σ' is infinite at t = 1); Linear/GVP with noise or score prediction
    /// [eps, 1 − eps] (the conversions divide by α and σ); Linear/GVP velocity [0, 1].
    /// </summary>
    public TimeInterval TrainInterval => Interval(TrainEps, sde: false, sbdm: false, lastStepSize: 0);

    /// <summary>ODE sampling interval, with the same rules as <see cref="TrainInterval"/> on the sampling epsilon.</summary>
    public TimeInterval OdeSampleInterval => Interval(SampleEps, sde: false, sbdm: false, lastStepSize: 0);

    /// <summary>
    /// SDE sampling interval: the end is 1 − <paramref name="lastStepSize"/> when a last step is taken (else the
    /// ODE rule); the start is eps when the diffusion is SBDM on a path with α(0) = 0 (its diffusion is infinite
    /// there; an eps of 0 is raised to 1e-3) or the prediction is not a velocity.
    /// </summary>
    /// <param name="form">The diffusion form.</param>
    /// <param name="lastStepSize">Size of the final denoising step (0 when none).</param>
    /// <exception cref="ArgumentOutOfRangeException">lastStepSize outside [0, 0.5).</exception>
    public TimeInterval SdeSampleInterval(DiffusionForm form, double lastStepSize)
    {
        if (!(lastStepSize >= 0 && lastStepSize < 0.5)) throw new ArgumentOutOfRangeException(nameof(lastStepSize), $"FlowTransport.SdeSampleInterval: lastStepSize must be in [0, 0.5), got {lastStepSize}");
        return Interval(SampleEps, sde: true, sbdm: form == DiffusionForm.Sbdm, lastStepSize);
    }

    private TimeInterval Interval(double eps, bool sde, bool sbdm, double lastStepSize)
    {
        double t0 = 0, t1 = 1;
        double end = sde && lastStepSize > 0 ? 1 - lastStepSize : 1 - eps;
        if (Path.Kind == PathKind.Vp) t1 = end;
        else if (Prediction != PredictionType.Velocity || sde)
        {
            if (Prediction != PredictionType.Velocity) t0 = eps;
            if (sde && sbdm) t0 = Math.Max(eps, 1e-3);
            t1 = end;
        }
        return new TimeInterval(t0, t1);
    }

    /// <summary>The SBDM drift variance d(t) = (α'/α)·σ² − σ·σ' (used by loss weighting and the SBDM diffusion).</summary>
    public double DriftVariance(double t)
    {
        var c = Path.Coefficients(t);
        return c.DAlpha / c.Alpha * c.Sigma * c.Sigma - c.Sigma * c.DSigma;
    }

    /// <summary>Evaluates the model at one shared time for the whole batch (one network evaluation).</summary>
    /// <param name="model">The network.</param>
    /// <param name="x">States [B, …].</param>
    /// <param name="t">The time.</param>
    /// <param name="labels">Labels or null.</param>
    public Tensor Evaluate(IFlowModel model, Tensor x, double t, int[]? labels)
    {
        var tt = Tensor.Full((float)t, x.Size(0));
        var y = model.Forward(x, tt, labels);
        if (!TensorShape.Equal(y.Shape, x.Shape))
            throw new InvalidOperationException($"FlowTransport.Evaluate: the model returned {TensorShape.Format(y.Shape)} for states {TensorShape.Format(x.Shape)}; a prediction must have the shape of the state");
        return y;
    }

    /// <summary>Converts a model output (of this transport's prediction type) at a shared time into <paramref name="to"/>.</summary>
    public Tensor Convert(Tensor x, double t, Tensor output, FlowQuantity to) =>
        PredictionConversions.Convert(Path, x, t, output, Prediction.ToQuantity(), to);

    /// <summary>Converts per-sample model outputs (times [B]) into <paramref name="to"/>.</summary>
    public Tensor Convert(Tensor x, Tensor t, Tensor output, FlowQuantity to) =>
        PredictionConversions.Convert(Path, x, t, output, Prediction.ToQuantity(), to);

    /// <summary>The velocity field of the model at a shared time (one network evaluation).</summary>
    public Tensor Velocity(IFlowModel model, Tensor x, double t, int[]? labels) =>
        Convert(x, t, Evaluate(model, x, t, labels), FlowQuantity.Velocity);
}
