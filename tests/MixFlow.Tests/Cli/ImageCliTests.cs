using MixFlow.Cli;
using MixFlow.Data;
using MixFlow.Tests.Training;
using MixFlow.Training;

namespace MixFlow.Tests.Cli;

public class ImageCliTests
{
    [Fact]
    public void TrainAndSampleImages_FromNpz_WritesGridAndAdmNpz()
    {
        ConsoleUi.ForcePlain = true;
        using var tmp = new TempDir();
        // 16 random 28×28 gray images in 2 classes, as an ADM-layout npz.
        var rng = new Random(3);
        var pixels = new byte[16 * 28 * 28];
        rng.NextBytes(pixels);
        string data = tmp.Sub("data.npz");
        NpzFile.WriteSamples(data, pixels, 16, 28, 28, 1, Enumerable.Range(0, 16).Select(i => (long)(i % 2)).ToArray());
        var err = new StringWriter();
        int code = Program.Run(["train", "--data", "npz:" + data, "--model", "SiT-XS/4-28", "--steps", "2", "--batch-size", "8",
            "--sample-every", "0", "--log-every", "1", "--out", tmp.Sub("run")], err);
        Assert.True(code == 0, err.ToString());
        var ck = Checkpoint.Open(tmp.Sub("run"));
        Assert.Equal(new[] { 1, 28, 28 }, ck.State.SampleShape);
        Assert.Equal(2, ck.State.NumClasses);

        code = Program.Run(["sample", "--ckpt", tmp.Sub("run"), "--per-class", "2", "--steps", "2", "--cfg", "1.5", "--out", tmp.Sub("s")], err);
        Assert.True(code == 0, err.ToString());
        var npz = NpzFile.Read(tmp.Sub("s/samples.npz"));
        Assert.Equal(new[] { 4, 28, 28, 1 }, npz["arr_0"].Shape);
        Assert.Equal(NpyDType.UInt8, npz["arr_0"].DType);
        Assert.Equal(new long[] { 0, 0, 1, 1 }, npz["arr_1"].ToInt64());
        Assert.True(new FileInfo(tmp.Sub("s/samples.png")).Length > 100);

        code = Program.Run(["sample", "--ckpt", tmp.Sub("run"), "--labels", "5", "--n", "2", "--steps", "1", "--out", tmp.Sub("s2")], err);
        Assert.Equal(2, code);
        Assert.Contains("labels", err.ToString());
    }
}
