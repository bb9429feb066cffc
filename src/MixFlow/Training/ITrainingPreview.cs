namespace MixFlow.Training;

/// <summary>Writes a preview of the model during training (an image grid for image data, a scatter plot for 2-D data).</summary>
public interface ITrainingPreview
{
    /// <summary>Writes the preview for a step into <paramref name="outputDirectory"/> and returns the file written.</summary>
    string Write(int step, string outputDirectory);
}
