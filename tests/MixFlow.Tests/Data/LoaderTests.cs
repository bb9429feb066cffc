using MixFlow.Data;

namespace MixFlow.Tests.Data;

public class LoaderTests
{
    /// <summary>Sample i is the scalar value i (so batches reveal their indices), labels i mod 3.</summary>
    static ArrayDataset Indexed(int n) =>
        ArrayDataset.FromFloats(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), [1], Enumerable.Range(0, n).Select(i => i % 3).ToArray());

    static int[] Ids(Batch b) => b.X.ToArray().Select(v => (int)v).ToArray();

    static List<int[]> Take(DataLoader l, int count)
    {
        var r = new List<int[]>();
        for (int i = 0; i < count; i++) { using var b = l.Next(); r.Add(Ids(b)); }
        return r;
    }

    [Fact]
    public void SameSeedSameBatchesWithOrWithoutPrefetch()
    {
        var ds = Indexed(103);
        using var a = new DataLoader(ds, new DataLoaderOptions { BatchSize = 10, Seed = 5, Prefetch = 2 });
        using var b = new DataLoader(ds, new DataLoaderOptions { BatchSize = 10, Seed = 5, Prefetch = 0 });
        using var c = new DataLoader(ds, new DataLoaderOptions { BatchSize = 10, Seed = 6, Prefetch = 3 });
        Assert.Equal(10, a.BatchesPerEpoch);
        var ba = Take(a, 25);
        Assert.Equal(ba, Take(b, 25));
        Assert.NotEqual(ba, Take(c, 25));
        Assert.Equal(new LoaderState(2, 5), a.State);
        // each epoch: 100 distinct indices (3 dropped), and epochs are shuffled differently
        for (int e = 0; e < 2; e++)
        {
            var seen = ba.Skip(10 * e).Take(10).SelectMany(x => x).ToArray();
            Assert.Equal(100, seen.Distinct().Count());
            Assert.All(seen, i => Assert.InRange(i, 0, 102));
            Assert.Equal(a.EpochOrder(e)[..100], seen);
        }
        Assert.NotEqual(ba[0], ba[10]);
    }

    [Fact]
    public void LabelsFollowSamplesAndBatchesCarryPosition()
    {
        using var l = new DataLoader(Indexed(20), new DataLoaderOptions { BatchSize = 4, Seed = 1 });
        for (int k = 0; k < 7; k++)
        {
            using var b = l.Next();
            Assert.Equal((k / 5, k % 5), (b.Epoch, b.Index));
            Assert.Equal(new[] { 4, 1 }, b.X.Shape);
            Assert.Equal(Ids(b).Select(i => i % 3), b.Labels!);
        }
    }

    [Fact]
    public void ResumeMidEpochGivesTheSameFollowingBatches()
    {
        var ds = Indexed(50);
        var opt = new DataLoaderOptions { BatchSize = 7, Seed = 42 };
        using var full = new DataLoader(ds, opt);
        var all = Take(full, 16); // 7 batches per epoch: crosses two epoch boundaries
        using var first = new DataLoader(ds, opt);
        Take(first, 4);
        var saved = first.State;
        Assert.Equal(new LoaderState(0, 4), saved);
        using var resumed = new DataLoader(ds, opt, saved);
        Assert.Equal(all.Skip(4).ToList(), Take(resumed, 12));

        first.Seek(new LoaderState(1, 6)); // discards prefetched batches
        Assert.Equal(all.Skip(13).ToList(), Take(first, 3));
        Assert.Equal(all[9], Ids(full.GetBatch(new LoaderState(1, 2))));
        Assert.Throws<ArgumentException>(() => first.Seek(new LoaderState(0, 7)));
        Assert.Throws<ArgumentException>(() => new DataLoader(ds, opt, new LoaderState(-1, 0)));
    }

    [Fact]
    public void ShardsAreDisjointAndCoverTheGlobalBatch()
    {
        var ds = Indexed(60);
        var opt = new DataLoaderOptions { BatchSize = 12, Seed = 9 };
        using var global = new DataLoader(ds, opt);
        var g = Take(global, 8);
        using var l0 = new DataLoader(ds, opt).Shard(0, 3);
        using var l1 = new DataLoader(ds, opt with { Rank = 1, WorldSize = 3 });
        using var l2 = new DataLoader(ds, opt).Shard(2, 3);
        Assert.Equal(4, l1.LocalBatchSize);
        var s0 = Take(l0, 8); var s1 = Take(l1, 8); var s2 = Take(l2, 8);
        for (int k = 0; k < 8; k++)
        {
            var union = s0[k].Concat(s1[k]).Concat(s2[k]).ToArray();
            Assert.Equal(12, union.Distinct().Count());
            Assert.Equal(g[k], union); // rank r holds the r-th slice, in order
        }
        Assert.Throws<ArgumentException>(() => new DataLoader(ds, opt with { WorldSize = 5 }));   // 12 % 5 != 0
        Assert.Throws<ArgumentException>(() => new DataLoader(ds, opt with { WorldSize = 3, Rank = 3 }));
        Assert.Throws<ArgumentException>(() => new DataLoader(ds, opt with { WorldSize = 2, DropLast = false }));
    }

    [Fact]
    public void KeepLastAndNoShuffle()
    {
        using var l = new DataLoader(Indexed(10), new DataLoaderOptions { BatchSize = 4, DropLast = false, Shuffle = false });
        Assert.Equal(3, l.BatchesPerEpoch);
        Assert.Equal(new[] { new[] { 0, 1, 2, 3 }, [4, 5, 6, 7], [8, 9], [0, 1, 2, 3] }, Take(l, 4));
        Assert.Throws<ArgumentException>(() => new DataLoader(Indexed(3), new DataLoaderOptions { BatchSize = 4 }));
        Assert.Throws<ArgumentException>(() => new DataLoader(Indexed(30), new DataLoaderOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => new DataLoader(Indexed(30), new DataLoaderOptions { HorizontalFlip = true }));
    }

    sealed class Faulty(int badIndex, ManualResetEventSlim? gate = null) : IDataset
    {
        public int Count => 40;
        public int[] SampleShape => [1];
        public int NumClasses => 0;
        public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<int> labels)
        {
            gate?.Wait();
            for (int j = 0; j < indices.Length; j++)
            {
                if (indices[j] == badIndex) throw new InvalidOperationException($"sample {badIndex} is unreadable");
                x[j] = indices[j];
            }
        }
    }

    [Fact]
    public void PrefetchErrorsReachTheConsumerWithTheOriginalMessage()
    {
        using var l = new DataLoader(new Faulty(badIndex: 13), new DataLoaderOptions { BatchSize = 5, Shuffle = false, Prefetch = 2 });
        Take(l, 2); // samples 0..9
        var e = Assert.Throws<InvalidOperationException>(() => l.Next());
        Assert.Equal("sample 13 is unreadable", e.Message);
        Assert.Equal(new LoaderState(0, 2), l.State);
        Assert.Throws<InvalidOperationException>(() => l.Next()); // stays faulted
        l.Seek(new LoaderState(0, 3));
        Assert.Equal(new[] { 15, 16, 17, 18, 19 }, Take(l, 1)[0]);
    }

    [Fact]
    public void WaitingForABatchIsCancellable()
    {
        using var gate = new ManualResetEventSlim(false);
        using var l = new DataLoader(new Faulty(-1, gate), new DataLoaderOptions { BatchSize = 5, Prefetch = 1 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.ThrowsAny<OperationCanceledException>(() => l.Next(cts.Token));
        Assert.Equal(new LoaderState(0, 0), l.State);
        gate.Set();
        using var b = l.Next();
        Assert.Equal((0, 0), (b.Epoch, b.Index));
    }

    [Fact]
    public void HorizontalFlipIsSeededAndMirrors()
    {
        // 8 images 1x2x3 whose pixels encode (image, row, col)
        int n = 64;
        var data = new float[n * 6];
        for (int i = 0; i < n; i++) for (int p = 0; p < 6; p++) data[i * 6 + p] = i * 10 + p;
        var ds = ArrayDataset.FromFloats(data, [1, 2, 3]);
        var opt = new DataLoaderOptions { BatchSize = 16, Seed = 3, HorizontalFlip = true };
        using var a = new DataLoader(ds, opt);
        using var b = new DataLoader(ds, opt with { Prefetch = 0 });
        int flipped = 0;
        for (int k = 0; k < 8; k++)
        {
            using var ba = a.Next();
            using var bb = b.Next();
            var xa = ba.X.ToArray();
            Assert.Equal(xa, bb.X.ToArray());
            for (int j = 0; j < 16; j++)
            {
                var s = xa[(j * 6)..(j * 6 + 6)];
                int img = (int)(s.Min() / 10);
                float[] plain = Enumerable.Range(0, 6).Select(p => (float)(img * 10 + p)).ToArray();
                float[] mirror = [plain[2], plain[1], plain[0], plain[5], plain[4], plain[3]];
                if (s.SequenceEqual(mirror)) flipped++;
                else Assert.Equal(plain, s);
            }
        }
        Assert.InRange(flipped, 40, 88); // about half of 128
    }
}
