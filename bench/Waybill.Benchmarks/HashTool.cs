using System.Diagnostics;
using System.Globalization;
using Waybill.Core.Hashing;

namespace Waybill.Benchmarks;

/// <summary>
/// <c>hash FILE [xxh128|sha256] [repeats]</c>: hashes FILE with FileHasher <c>repeats</c> times (default 5) after one
/// warm-up pass and prints the best time: <c>xxh128 seconds=0.0312 gbps=8.60 digest=xxh128:…</c>.
/// With <c>--create SIZE_MIB</c> first, writes the test file (pseudo-random, fixed seed) when it is missing.
/// </summary>
public static class HashTool
{
    public static int Run(string[] args)
    {
        var rest = args.ToList();
        var createIndex = rest.IndexOf("--create");
        if (createIndex >= 0 && createIndex + 1 < rest.Count)
        {
            var mib = long.Parse(rest[createIndex + 1], CultureInfo.InvariantCulture);
            rest.RemoveRange(createIndex, 2);
            if (rest.Count > 0 && !File.Exists(rest[0])) CreateFile(rest[0], mib << 20);
        }
        if (rest.Count == 0)
        {
            Console.Error.WriteLine("usage: hash FILE [xxh128|sha256] [repeats] [--create SIZE_MIB]");
            return 2;
        }
        var file = rest[0];
        if (!ChecksumAlgorithmNames.TryParse(rest.Count > 1 ? rest[1] : null, out var algorithm))
        {
            Console.Error.WriteLine($"unknown algorithm '{rest[1]}'");
            return 2;
        }
        var repeats = rest.Count > 2 ? int.Parse(rest[2], CultureInfo.InvariantCulture) : 5;
        var size = new FileInfo(file).Length;
        var digest = FileHasher.Compute(file, algorithm);
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            digest = FileHasher.Compute(file, algorithm);
            clock.Stop();
            if (clock.Elapsed < best) best = clock.Elapsed;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{algorithm.Prefix()} seconds={best.TotalSeconds:0.00000} gbps={size / best.TotalSeconds / 1e9:0.000} digest={digest}"));
        return 0;
    }

    /// <summary>Writes <paramref name="size"/> pseudo-random bytes (fixed seed, so every run hashes the same data).</summary>
    public static void CreateFile(string path, long size)
    {
        var random = new Random(20251127);
        var buffer = new byte[1 << 20];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        for (long written = 0; written < size; written += buffer.Length)
        {
            random.NextBytes(buffer);
            stream.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
        }
    }

    /// <summary>Reads the file once so that the measured passes come from the page cache.</summary>
    public static void Warm(string path)
    {
        var buffer = new byte[1 << 20];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        while (stream.Read(buffer, 0, buffer.Length) > 0)
        {
        }
    }
}
