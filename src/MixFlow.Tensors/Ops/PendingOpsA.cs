namespace MixFlow.Tensors;

// TEMPORARY signatures of the ops being implemented on branch `ops-a` (this file is deleted there).
public sealed partial class Tensor
{
    public Tensor Softmax(int axis = -1) => throw new NotImplementedException();
    public Tensor LogSoftmax(int axis = -1) => throw new NotImplementedException();
    public static Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps = 1e-5f) => throw new NotImplementedException();
    public static Tensor RmsNorm(Tensor x, Tensor? weight, float eps = 1e-6f) => throw new NotImplementedException();
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? mask = null, float? scale = null) => throw new NotImplementedException();
    public static Tensor Embedding(Tensor weight, int[] indices) => throw new NotImplementedException();
    public Tensor IndexSelect(int dim, int[] indices) => throw new NotImplementedException();
    public Tensor Gather(int dim, int[] index, int[] indexShape) => throw new NotImplementedException();
    public static Tensor MseLoss(Tensor prediction, Tensor target) => throw new NotImplementedException();
    public static Tensor CrossEntropy(Tensor logits, int[] labels) => throw new NotImplementedException();
}
