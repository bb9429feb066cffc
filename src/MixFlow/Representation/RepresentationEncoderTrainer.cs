using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Tensors.Optim;

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
        var opt = new AdamW(cnn.NamedParameters().ToList(), new AdamWOptions(LearningRate: recipe.LearningRate, WeightDecay: recipe.WeightDecay));
        int batch = Math.Min(recipe.BatchSize, train.Count);
        using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = batch, Seed = recipe.Seed, Shuffle = true, DropLast = true });
        int steps = recipe.MaxSteps ?? recipe.Epochs * loader.BatchesPerEpoch;
        var recent = new Queue<double>();
        for (int step = 1; step <= steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = new TensorScope();
            using var b = loader.Next(cancellationToken);
            opt.ZeroGrad();
            var loss = Tensor.CrossEntropy(cnn.Forward(b.X), b.Labels!);
            loss.Backward();
            opt.Step();
            double l = loss.Item();
            if (!double.IsFinite(l)) throw new InvalidOperationException($"RepresentationEncoderTrainer: the loss is {l} at step {step}; lower the learning rate ({recipe.LearningRate})");
            recent.Enqueue(l);
            if (recent.Count > 50) recent.Dequeue();
            progress?.Report(new TrainerProgress(step, steps, l));
        }
        cnn.Eval();
        opt.ZeroGrad(setToNull: true);
        var encoder = new CnnPatchEncoder(cnn);
        encoder.SetNormalization(TokenNormalization.Compute(encoder, train, recipe.StatsSamples));
        return new RepresentationEncoderResult(encoder, steps, recent.Average(), Accuracy(cnn, train, Math.Min(recipe.StatsSamples, train.Count)));
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
