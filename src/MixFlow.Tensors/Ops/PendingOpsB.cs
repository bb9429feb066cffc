namespace MixFlow.Tensors;

// TEMPORARY signatures of the ops being implemented on branch `ops-b` (this file is deleted there).
public sealed partial class Tensor
{
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0) => throw new NotImplementedException();
    public Tensor AvgPool2d(int kernel, int stride) => throw new NotImplementedException();
    public Tensor MaxPool2d(int kernel, int stride) => throw new NotImplementedException();
    public Tensor Dropout(float p, Generator gen, bool training = true) => throw new NotImplementedException();
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => throw new NotImplementedException();
    public Tensor MaskedFill(Tensor mask, float value) => throw new NotImplementedException();
}
