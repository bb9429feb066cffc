using MixFlow.Distributed;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Training;

namespace MixFlow.Tests.Distributed;

/// <summary>Bucketing of <see cref="GradientAllreducer"/> and rank-independent sampling, without MPI.</summary>
[Collection("MemoryAccounting")]
public sealed class GradientAllreducerTests
{
    /// <summary>Rank 0 of a pretend 2-rank world whose other rank holds <c>Other(i)</c> at element i of every reduced span.</summary>
    private sealed class TwoRankWorld : IWorld
    {
        public List<int> Calls { get; } = new();
        public int Rank => 0;
        public int Size => 2;
        public void AllreduceSum(Span<float> data, string label = "")
        {
            Calls.Add(data.Length);
            for (int i = 0; i < data.Length; i++) data[i] += 1000f;
        }
        public void AllreduceSum(Span<double> data, string label = "") { for (int i = 0; i < data.Length; i++) data[i] *= 2; }
        public void AllreduceMax(Span<double> data, string label = "") { }
        public void Broadcast(Span<float> data, int root = 0, string label = "") { }
        public void Broadcast(Span<byte> data, int root = 0, string label = "") { }
        public float[]? Gather(ReadOnlySpan<float> local, int root = 0, string label = "") => local.ToArray();
        public float[] Allgather(ReadOnlySpan<float> local, string label = "") => local.ToArray();
        public void Barrier(string label = "") { }
        public void Abort(int errorCode, string message) => throw new InvalidOperationException(message);
    }

    [Fact]
    public void SumsEveryGradient_PackingSmallOnesAndReducingLargeOnesInPlace()
    {
        var world = new TwoRankWorld();
        var r = new GradientAllreducer(world, bucketBytes: 4096); // 1024 floats
        int[] sizes = [10, 300, 600, 2000, 5, 700, 400, 1];
        var ps = new List<Tensor>();
        for (int j = 0; j < sizes.Length; j++)
        {
            var p = Tensor.Zeros(sizes[j]).RequireGrad();
            p.Grad = Tensor.FromArray(Enumerable.Range(0, sizes[j]).Select(i => (float)(j * 10000 + i)).ToArray(), sizes[j]);
            ps.Add(p);
        }
        var noGrad = Tensor.Zeros(3).RequireGrad(); // skipped
        ps.Insert(2, noGrad);
        r.SumGradients(ps);
        for (int j = 0, k = 0; j < ps.Count; j++)
        {
            if (ps[j].Grad is null) continue;
            var g = ps[j].Grad!.ToArray();
            for (int i = 0; i < g.Length; i++) Assert.Equal(k * 10000 + i + 1000f, g[i]);
            k++;
        }
        // buckets of at most 1024 floats: [10+300] [600 in place (>= half a bucket)] [2000 in place] [5] [700 in place] [400+1]
        Assert.Equal([310, 600, 2000, 5, 700, 401], world.Calls);
        Assert.Equal(4016, r.LastElements);
        world.Calls.Clear();
        r.SumGradients(ps); // same plan again
        Assert.Equal([310, 600, 2000, 5, 700, 401], world.Calls);
    }

    [Fact]
    public void OneRank_IsANoOp()
    {
        var p = Tensor.Zeros(4).RequireGrad();
        p.Grad = Tensor.FromArray([1f, 2, 3, 4], 4);
        var r = new GradientAllreducer(SingleProcessWorld.Instance);
        r.SumGradients([p]);
        Assert.Equal([1f, 2, 3, 4], p.Grad!.ToArray());
        Assert.Equal(0, r.LastCalls);
    }

    [Fact]
    public void OdeSamples_DoNotDependOnTheBatchSplit()
    {
        var model = new FlowMlp(new FlowMlpOptions { Dim = 2, Width = 16, Depth = 2 }, new Generator(3));
        var req = new SampleRequest { Count = 7, Steps = 4, Seed = 9, BatchSize = 7 };
        var a = SampleGenerator.Generate(model, [2], req).X.ToArray();
        var b = SampleGenerator.Generate(model, [2], req with { BatchSize = 2 }).X.ToArray();
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 5e-6f);
        var c = SampleGenerator.Generate(model, [2], req with { Seed = 10 }).X.ToArray();
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void OutsideMpirun_TheWorldIsASingleProcess()
    {
        Assert.False(DistributedRuntime.UnderMpi);
        Assert.Same(SingleProcessWorld.Instance, DistributedRuntime.GetWorld());
    }
}
