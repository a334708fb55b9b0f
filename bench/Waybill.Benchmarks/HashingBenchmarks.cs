using BenchmarkDotNet.Attributes;
using Waybill.Core.Hashing;

namespace Waybill.Benchmarks;

/// <summary>
/// FileHasher.Compute on a 256 MiB file already in the page cache (the file sits on the disk folder and is read
/// once before measuring). Throughput = 256 MiB / mean time. Compare with bench/scripts/hash-vs-coreutils.sh.
/// </summary>
public class HashingBenchmarks
{
    public const long Size = 256L << 20;

    private string _dir = null!;
    private string _file = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchDirs.Fresh(BenchDirs.Disk == "-" ? BenchDirs.Tmpfs : BenchDirs.Disk, "hashing");
        _file = Path.Combine(_dir, "data-256m.bin");
        HashTool.CreateFile(_file, Size);
        HashTool.Warm(_file);
    }

    [GlobalCleanup]
    public void Cleanup() => BenchDirs.Remove(_dir);

    [Benchmark(Baseline = true)]
    public string XxHash128_256MiB() => FileHasher.Compute(_file, ChecksumAlgorithm.XxHash128);

    [Benchmark]
    public string Sha256_256MiB() => FileHasher.Compute(_file, ChecksumAlgorithm.Sha256);
}
