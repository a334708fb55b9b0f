using System.Diagnostics;
using System.Globalization;
using Waybill.Core.Execution;
using Waybill.Core.Hashing;

namespace Waybill.Benchmarks;

/// <summary>
/// <c>hash-tree FOLDER [xxh128|sha256] [parallelism] [repeats] [--list FILE]</c>: hashes every file under FOLDER
/// cold (a new, empty ChecksumCache each pass, so every file is stat'ed, opened, read and hashed) with
/// <see cref="ChecksumCache.ComputeMany"/>, after one pass that brings the files into the page cache, and prints the
/// best pass: <c>xxh128 files=10000 bytes=1073741824 parallelism=2 seconds=0.3000 gbps=3.579</c>.
/// <c>--list FILE</c> writes <c>HEX  PATH</c> lines in the format of md5sum and sha256sum, to compare digests.
/// </summary>
public static class HashTreeTool
{
    public static int Run(string[] args)
    {
        var rest = args.ToList();
        string? list = null;
        var listIndex = rest.IndexOf("--list");
        if (listIndex >= 0 && listIndex + 1 < rest.Count)
        {
            list = rest[listIndex + 1];
            rest.RemoveRange(listIndex, 2);
        }
        if (rest.Count == 0 || !Directory.Exists(rest[0]))
        {
            Console.Error.WriteLine("usage: hash-tree FOLDER [xxh128|sha256] [parallelism] [repeats] [--list FILE]");
            return 2;
        }
        if (!ChecksumAlgorithmNames.TryParse(rest.Count > 1 ? rest[1] : null, out var algorithm))
        {
            Console.Error.WriteLine($"unknown algorithm '{rest[1]}'");
            return 2;
        }
        var parallelism = rest.Count > 2 ? int.Parse(rest[2], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var repeats = rest.Count > 3 ? int.Parse(rest[3], CultureInfo.InvariantCulture) : 5;

        var paths = Directory.EnumerateFiles(Path.GetFullPath(rest[0]), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var bytes = paths.Sum(p => new FileInfo(p).Length);
        var hashes = new ChecksumCache(algorithm).ComputeMany(paths, parallelism);
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var cache = new ChecksumCache(algorithm);
            var clock = Stopwatch.StartNew();
            hashes = cache.ComputeMany(paths, parallelism);
            clock.Stop();
            if (cache.FilesHashed != paths.Length) throw new InvalidOperationException($"hashed {cache.FilesHashed} of {paths.Length} files");
            if (clock.Elapsed < best) best = clock.Elapsed;
        }
        if (list is not null)
            File.WriteAllLines(list, paths.Select((path, i) => hashes[i][(hashes[i].IndexOf(':', StringComparison.Ordinal) + 1)..] + "  " + path));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{algorithm.Prefix()} files={paths.Length} bytes={bytes} parallelism={parallelism} seconds={best.TotalSeconds:0.00000} gbps={bytes / best.TotalSeconds / 1e9:0.000}"));
        return 0;
    }
}
