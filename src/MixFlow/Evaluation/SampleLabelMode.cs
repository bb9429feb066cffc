namespace MixFlow.Evaluation;

/// <summary>Which class labels <see cref="Evaluator.EvaluateModel"/> (and the Slow-Flow diagnostic) request from a model.</summary>
public enum SampleLabelMode
{
    /// <summary>No labels (unconditional sampling); required for unconditional models.</summary>
    None,
    /// <summary>Balanced: sample i gets label i mod C (equal class counts when N is a multiple of C). The default for class-conditional models.</summary>
    Balanced,
    /// <summary>Labels drawn uniformly from [0, C) with the evaluation seed.</summary>
    Random,
}
