using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Tensors.IO;
using static MixFlow.Tests.Representation.RepaRaeTestUtil;

namespace MixFlow.Tests.Representation;

public class CheckpointRoundTripTests
{
    static void WithFile(string name, Action<string> body)
    {
        var path = TempFile(name);
        try { body(path); }
        finally { if (File.Exists(path)) File.Delete(path); }
    }

    [Fact]
    public void SiTWithProjectorRoundTripsAndLoadsIntoTheBareBackbone()
    {
        var model = TinyRepaModel(71);
        var g = new Generator(72);
        var x = Tensor.RandN(g, 2, 1, 8, 8); var t = Tensor.Rand(g, 2);
        var y = model.ForwardWithHidden(x, t, null, out var h);
        var p = model.Projector.Forward(h);
        WithFile("repa.safetensors", path =>
        {
            model.SaveSafeTensors(path);
            var loaded = TinyRepaModel(99);
            loaded.LoadSafeTensors(path);
            var y2 = loaded.ForwardWithHidden(x, t, null, out var h2);
            Assert.Equal(y.ToArray(), y2.ToArray());
            Assert.Equal(p.ToArray(), loaded.Projector.Forward(h2).ToArray());

            var state = SafeTensors.ReadAll(path);
            Assert.Contains(state.Keys, k => k.StartsWith(RepaModel.ProjectorPrefix, StringComparison.Ordinal));
            var bare = TinySiT(98);
            bare.LoadStateDict(RepaModel.BackboneState(state), strict: true);
            Assert.Equal(y.ToArray(), bare.Forward(x, t, null).ToArray());
        });
    }

    [Fact]
    public void DiTDHRoundTrips()
    {
        var m = new DiTDH(TinyDiTDH, new Generator(73));
        Randomize(m, 74);
        m.Eval();
        var g = new Generator(75);
        var x = Tensor.RandN(g, 2, 3, 6, 6); var t = Tensor.Rand(g, 2);
        var y = m.Forward(x, t, [0, 4]);
        WithFile("ditdh.safetensors", path =>
        {
            m.SaveSafeTensors(path);
            var loaded = new DiTDH(TinyDiTDH, new Generator(76));
            loaded.LoadSafeTensors(path);
            loaded.Eval();
            Assert.Equal(y.ToArray(), loaded.Forward(x, t, [0, 4]).ToArray());
        });
    }

    [Fact]
    public void DecoderAndEncoderRoundTripWithTheirArchitecture()
    {
        var enc = TinyEncoder(77);
        Randomize(enc, 78, 0.3f);
        enc.SetNormalization(new TokenNormalization([0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f], [1f, 2f, 3f, 4f, 5f, 6f]));
        var dec = new RaeDecoder(new RaeDecoderOptions { TokenDim = 6, GridSize = 2, ImageSize = 8, OutChannels = 1, HiddenChannels = 4 }, new Generator(79));
        Randomize(dec, 80);
        var x = Tensor.Rand(new Generator(81), 2, 1, 8, 8) * 2f - 1f;
        var tok = enc.Encode(x);
        var img = dec.Forward(tok);
        WithFile("enc.safetensors", encPath => WithFile("dec.safetensors", decPath =>
        {
            enc.Save(encPath);
            dec.Save(decPath);
            var enc2 = CnnPatchEncoder.Load(encPath);
            Assert.Equal(enc.Cnn.Options.Channels, enc2.Cnn.Options.Channels);
            Assert.Equal(tok.ToArray(), enc2.Encode(x).ToArray());
            Assert.Equal(enc.Normalization.Std, enc2.Normalization.Std);
            var dec2 = RaeDecoder.Load(decPath);
            Assert.Equal(dec.Options, dec2.Options);
            Assert.Equal(img.ToArray(), dec2.Forward(tok).ToArray());
            var codec = RaeCodec.Load(encPath, decPath);
            Assert.Equal(enc.Normalization.Mean, codec.Normalization.Mean);
            Assert.Throws<InvalidDataException>(() => RaeDecoder.Load(encPath));
            Assert.Throws<InvalidDataException>(() => CnnPatchEncoder.Load(decPath));
        }));
    }
}
