using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Representation;

/// <summary>
/// Trains the project's representation encoder (<c>mixflow train-encoder</c>): a <see cref="ClassifierCnn"/> learned
/// as a classifier on a labelled image set with the <see cref="RepresentationEncoderRecipe"/>, wrapped as a
/// <see cref="CnnPatchEncoder"/> whose token statistics are then measured on the same set. Deterministic for a
/// given recipe, data set and thread count.
/// </summary>
public static class RepresentationEncoderTrainer
{
    /// <summary>Runs the recipe.</summary>
    /// <param name="train">Labelled images [C, S, S] in [−1, 1] (square).</param>
    /// <param name="recipe">The recipe (default <see cref="RepresentationEncoderRecipe"/>).</param>
    /// <param name="progress">Optional per-step report.</param>
    /// <param name="cancellationToken">Stops between steps (throws <see cref="OperationCanceledException"/>).</param>
    /// <exception cref="ArgumentException">The data is unlabelled, not square images, or the recipe is invalid.</exception>
    public static RepresentationEncoderResult Train(IDataset train, RepresentationEncoderRecipe? recipe = null, IProgress<TrainerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        recipe ??= new RepresentationEncoderRecipe();
        recipe.Validate();
        var s = train.SampleShape;
        if (s.Length != 3 || s[1] != s[2]) throw new ArgumentException($"RepresentationEncoderTrainer: the data must hold square images [C, S, S], got samples [{string.Join(", ", s)}]");
        if (train.NumClasses < 2) throw new ArgumentException($"RepresentationEncoderTrainer: the encoder is trained as a classifier and needs labelled data with >= 2 classes (got {train.NumClasses})");
        var gen = new Generator(recipe.Seed);
        var cnn = new ClassifierCnn(new ClassifierCnnOptions { InChannels = s[0], ImageSize = s[1], NumClasses = train.NumClasses, Channels = (int[])recipe.Channels.Clone() }, gen);
        cnn.Train();
        var settings = new SupervisedLoop.Settings("RepresentationEncoderTrainer", recipe.BatchSize, recipe.Seed, recipe.MaxSteps, recipe.Epochs, recipe.LearningRate, recipe.WeightDecay);
        var run = SupervisedLoop.Run(cnn, train, settings, b =>
        {
            var loss = Tensor.CrossEntropy(cnn.Forward(b.X), b.Labels!);        // [] mean over the batch
            return new SupervisedLoop.StepLoss(loss, loss);
        }, progress, cancellationToken);
        cnn.Eval();
        var encoder = new CnnPatchEncoder(cnn);
        encoder.SetNormalization(TokenNormalization.Compute(encoder, train, recipe.StatsSamples));
        return new RepresentationEncoderResult(encoder, run.Steps, run.RecentLoss, Accuracy(cnn, train, Math.Min(recipe.StatsSamples, train.Count)));
    }

    private static double Accuracy(ClassifierCnn cnn, IDataset data, int n)
    {
        using var noGrad = GradMode.NoGrad();
        int correct = 0;
        for (int start = 0; start < n; start += 256)
        {
            using var scope = new TensorScope();
            int b = Math.Min(256, n - start);
            var idx = Enumerable.Range(start, b).ToArray();
            var x = EncoderData.Images(data, idx, out var labels);
            var logits = cnn.Forward(x).Contiguous().AsSpan();
            int c = data.NumClasses;
            for (int i = 0; i < b; i++)
            {
                var row = logits.Slice(i * c, c);
                int arg = 0;
                for (int k = 1; k < c; k++) if (row[k] > row[arg]) arg = k;
                if (arg == labels[i]) correct++;
            }
        }
        return (double)correct / n;
    }
}
