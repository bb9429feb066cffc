namespace MixFlow.Data;

/// <summary>Which part of a data set with a standard split to load.</summary>
public enum DatasetSplit
{
    /// <summary>The training split.</summary>
    Train,

    /// <summary>The test split (called t10k in the MNIST file names).</summary>
    Test,
}
