using MixFlow.Tensors.IO;

namespace MixFlow.Tensors.Tests;

/// <summary>Flushing a directory after an atomic rename: works on real folders, names what is wrong, leaks no descriptor.</summary>
public sealed class DirectorySyncTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixflow-dirsync-" + Guid.NewGuid().ToString("N"));

    public DirectorySyncTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } }

    [Fact]
    public void Flush_OfAnExistingFolder_Succeeds_AlsoThroughFlushParentOf()
    {
        string file = Path.Combine(_dir, "a.bin");
        File.WriteAllBytes(file, [1, 2, 3]);
        DirectorySync.Flush(_dir);
        DirectorySync.FlushParentOf(file);
        DirectorySync.Flush(_dir + Path.DirectorySeparatorChar);
    }

    [Fact]
    public void Flush_OfAMissingFolderOrAFile_NamesThePath()
    {
        string missing = Path.Combine(_dir, "nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => DirectorySync.Flush(missing));
        Assert.Contains(missing, e.Message);
        string file = Path.Combine(_dir, "f.txt");
        File.WriteAllText(file, "x");
        Assert.Contains(file, Assert.Throws<DirectoryNotFoundException>(() => DirectorySync.Flush(file)).Message);
        Assert.Throws<ArgumentException>(() => DirectorySync.Flush(""));
    }

    [Fact]
    public void Flush_ClosesItsDescriptor()
    {
        if (!OperatingSystem.IsLinux()) return; // counts descriptors through /proc/self/fd
        DirectorySync.Flush(_dir); // load the library first
        int before = Directory.GetFiles("/proc/self/fd").Length;
        for (int i = 0; i < 2000; i++) DirectorySync.Flush(_dir);
        int after = Directory.GetFiles("/proc/self/fd").Length;
        Assert.True(after - before < 50, $"open descriptors grew from {before} to {after} over 2000 flushes");
    }

    [Fact]
    public void SafeTensorsSave_StillWritesAndReplaces()
    {
        string p = Path.Combine(_dir, "w.safetensors");
        SafeTensors.Save(p, [new("w", Tensor.FromArray([1f, 2f], [2]))]);
        SafeTensors.Save(p, [new("w", Tensor.FromArray([3f, 4f], [2]))]);
        using (var f = SafeTensors.Load(p)) Assert.Equal([3f, 4f], f.Read("w").ToArray());
        Assert.Single(Directory.GetFiles(_dir)); // no temporary file left behind
    }
}
