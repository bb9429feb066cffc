using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Representation;

/// <summary>
/// Trains the RAE pixel decoder (<c>mixflow train-decoder</c>) on a frozen encoder: per step a batch of images is
/// encoded (no gradient reaches the encoder), optionally noise-augmented, decoded, and the pixel MSE (+ L1) against
/// the images is minimised with AdamW. Deterministic for a given recipe, encoder, data set and thread count.
/// </summary>
public static class RaeDecoderTrainer
{
    /// <summary>Runs the recipe.</summary>
    /// <param name="encoder">The frozen encoder.</param>
    /// <param name="train">Images of the encoder's input shape.</param>
    /// <param name="recipe">The recipe (default <see cref="RaeDecoderRecipe"/>).</param>
    /// <param name="stats">Token statistics for the noise augmentation (identity when null).</param>
    /// <param name="progress">Optional per-step report (the loss is the step's pixel MSE).</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <exception cref="ArgumentException">The data does not fit the encoder, the encoder grid is not square, or the recipe is invalid.</exception>
    public static RaeDecoderResult Train(IRepresentationEncoder encoder, IDataset train, RaeDecoderRecipe? recipe = null, TokenNormalization? stats = null,
        IProgress<TrainerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(train);
        recipe ??= new RaeDecoderRecipe();
        recipe.Validate();
        EncoderData.CheckShape(encoder, train, "RaeDecoderTrainer");
        var (gh, gw) = encoder.TokenGrid;
        var (c, h, w) = encoder.InputShape;
        if (gh != gw || h != w) throw new ArgumentException($"RaeDecoderTrainer: the decoder needs a square token grid and square images (grid {gh}×{gw}, images {h}×{w})");
        stats ??= TokenNormalization.Identity(encoder.TokenDim);
        stats.Validate();
        if (stats.Dim != encoder.TokenDim) throw new ArgumentException($"RaeDecoderTrainer: token statistics of {stats.Dim} dimensions for {encoder.TokenDim}-d tokens");
        var gen = new Generator(recipe.Seed);
        var decoder = new RaeDecoder(new RaeDecoderOptions { TokenDim = encoder.TokenDim, GridSize = gh, ImageSize = h, OutChannels = c, HiddenChannels = recipe.HiddenChannels }, gen);
        var noiseGen = gen.Fork();
        var std = Tensor.FromArray(stats.Std, 1, 1, encoder.TokenDim);
        std.MoveToOuterScope();
        int batch = Math.Min(recipe.BatchSize, train.Count);
        var settings = new SupervisedLoop.Settings("RaeDecoderTrainer", recipe.BatchSize, recipe.Seed, recipe.MaxSteps, recipe.Epochs, recipe.LearningRate, recipe.WeightDecay);
        var run = SupervisedLoop.Run(decoder, train, settings, b =>
        {
            var tokens = encoder.Encode(b.X);                                   // [B, T, D], detached
            if (recipe.NoiseScale > 0)
            {
                var sig = new float[batch];
                for (int i = 0; i < batch; i++) sig[i] = (float)(Math.Abs(noiseGen.NextNormal()) * recipe.NoiseScale);
                tokens = tokens + Tensor.RandN(noiseGen, tokens.Shape) * std * Tensor.FromArray(sig, batch, 1, 1);
            }
            var recon = decoder.Forward(tokens);                                // [B, C, S, S]
            var mse = Tensor.MseLoss(recon, b.X);
            var loss = recipe.L1Weight > 0 ? mse + (recon - b.X).Abs().Mean() * (float)recipe.L1Weight : mse;
            return new SupervisedLoop.StepLoss(loss, mse);                      // the pixel MSE is reported
        }, progress, cancellationToken);
        decoder.Eval();
        return new RaeDecoderResult(decoder, run.Steps, run.RecentLoss);
    }

    /// <summary>Mean pixel MSE of encode → decode over the first <paramref name="maxSamples"/> images of a set (no augmentation).</summary>
    /// <exception cref="ArgumentException">The data does not fit the encoder or the decoder.</exception>
    public static double ReconstructionMse(IRepresentationEncoder encoder, RaeDecoder decoder, IDataset data, int maxSamples = 1000, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(data);
        EncoderData.CheckShape(encoder, data, "RaeDecoderTrainer.ReconstructionMse");
        int n = Math.Min(maxSamples, data.Count);
        if (n < 1 || batchSize < 1) throw new ArgumentException($"RaeDecoderTrainer.ReconstructionMse: need at least one sample and batchSize >= 1 (got {n} samples, batch {batchSize})");
        using var noGrad = GradMode.NoGrad();
        double sum = 0; long count = 0;
        for (int start = 0; start < n; start += batchSize)
        {
            using var scope = new TensorScope();
            int b = Math.Min(batchSize, n - start);
            var x = EncoderData.Images(data, start, b);
            var r = decoder.Forward(encoder.Encode(x));
            sum += Tensor.MseLoss(r, x).Item() * x.Numel;
            count += x.Numel;
        }
        return sum / count;
    }
}
