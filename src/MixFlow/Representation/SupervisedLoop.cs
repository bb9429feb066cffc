using MixFlow.Data;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Tensors.Nn;
using MixFlow.Tensors.Optim;

namespace MixFlow.Representation;

/// <summary>
/// The training loop the representation trainers share (the encoder as a classifier, the RAE decoder on frozen tokens):
/// AdamW over every parameter of one module, shuffled batches with the last partial batch dropped, one optimizer step
/// per batch, a stop with a clear error on a non-finite loss, per-step progress, and the mean of the last
/// <see cref="RecentWindow"/> reported losses as the run's final loss. Deterministic for given settings, data and
/// thread count.
/// </summary>
internal static class SupervisedLoop
{
    /// <summary>How many of the last steps the final loss averages.</summary>
    public const int RecentWindow = 50;

    /// <summary>What a loop runs.</summary>
    /// <param name="Who">The trainer's name, for error messages.</param>
    /// <param name="BatchSize">Batch size (capped at the data set's size).</param>
    /// <param name="Seed">Shuffling seed.</param>
    /// <param name="MaxSteps">Step count; null = <paramref name="Epochs"/> passes over the data.</param>
    /// <param name="Epochs">Passes over the data when <paramref name="MaxSteps"/> is null.</param>
    /// <param name="LearningRate">AdamW learning rate.</param>
    /// <param name="WeightDecay">AdamW decoupled weight decay.</param>
    public sealed record Settings(string Who, int BatchSize, ulong Seed, int? MaxSteps, int Epochs, double LearningRate, double WeightDecay);

    /// <summary>The loss of one batch.</summary>
    /// <param name="Optimized">The scalar that is back-propagated.</param>
    /// <param name="Reported">The scalar that is reported and averaged (may be <paramref name="Optimized"/> itself).</param>
    public sealed record StepLoss(Tensor Optimized, Tensor Reported);

    /// <summary>The outcome of a loop.</summary>
    /// <param name="Steps">Optimizer steps taken.</param>
    /// <param name="RecentLoss">Mean reported loss over the last <see cref="RecentWindow"/> steps.</param>
    public sealed record Outcome(int Steps, double RecentLoss);

    /// <summary>
    /// Trains <paramref name="model"/>: for each step, <paramref name="lossOf"/> computes the loss of a batch (the
    /// optimizer's gradients are cleared before it is called), which is back-propagated and stepped. The gradients
    /// are released at the end.
    /// </summary>
    /// <exception cref="InvalidOperationException">A reported loss was not finite (names the step and the learning rate).</exception>
    /// <exception cref="OperationCanceledException">Cancelled between steps.</exception>
    public static Outcome Run(Module model, IDataset train, Settings settings, Func<Batch, StepLoss> lossOf,
        IProgress<TrainerProgress>? progress, CancellationToken cancellationToken)
    {
        var opt = new AdamW(model.NamedParameters().ToList(), new AdamWOptions(LearningRate: settings.LearningRate, WeightDecay: settings.WeightDecay));
        int batch = Math.Min(settings.BatchSize, train.Count);
        using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = batch, Seed = settings.Seed, Shuffle = true, DropLast = true });
        int steps = settings.MaxSteps ?? settings.Epochs * loader.BatchesPerEpoch;
        var recent = new Queue<double>();
        for (int step = 1; step <= steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = new TensorScope();
            using var b = loader.Next(cancellationToken);
            opt.ZeroGrad();
            var loss = lossOf(b);
            loss.Optimized.Backward();
            opt.Step();
            double l = loss.Reported.Item();
            if (!double.IsFinite(l)) throw new InvalidOperationException($"{settings.Who}: the loss is {l} at step {step}; lower the learning rate ({settings.LearningRate})");
            recent.Enqueue(l);
            if (recent.Count > RecentWindow) recent.Dequeue();
            progress?.Report(new TrainerProgress(step, steps, l));
        }
        opt.ZeroGrad(setToNull: true);
        return new Outcome(steps, recent.Count > 0 ? recent.Average() : double.NaN);
    }
}
