using Waybill.Core.IO;
using Waybill.Core.Jobs;

namespace Waybill.Core.Execution;

/// <summary>
/// The Python stage client (clients/python/waybill, embedded in this assembly) where command stages import it:
/// <c>.waybill/python/waybill/</c> in the job folder, put first on PYTHONPATH. The CLI is a single native binary, so
/// the client travels inside it and is written out at most once per run: the first command stage of the run writes
/// the files that are missing or differ (each atomically) and removes modules the bundle no longer has; every later
/// stage only reads the answer. A run whose stages are all up to date writes nothing.
/// </summary>
internal sealed class PythonClient
{
    private const string ResourcePrefix = "python/waybill/";

    private readonly Lock _gate = new();
    private Outcome? _outcome;

    private sealed record Outcome(string? Folder, string? Problem);

    /// <summary>The folder for PYTHONPATH, installed on the first call of the run; null with a problem when it cannot be written.</summary>
    public (string? Folder, string? Problem) FolderFor(JobLayout layout)
    {
        lock (_gate)
        {
            _outcome ??= Install(layout);
            return (_outcome.Folder, _outcome.Problem);
        }
    }

    /// <summary>The client's modules, by file name, as this build embeds them.</summary>
    public static IReadOnlyDictionary<string, byte[]> Files => s_files.Value;

    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> s_files = new(() =>
    {
        var assembly = typeof(PythonClient).Assembly;
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name[ResourcePrefix.Length..]] = copy.ToArray();
        }
        return files;
    });

    private static Outcome Install(JobLayout layout)
    {
        var root = layout.PythonClientDir;
        var package = Path.Combine(root, "waybill");
        try
        {
            Write(root, package);
            return new Outcome(root, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Outcome(null, $"the Python client could not be written to {package} ({e.Message}); "
                + "'import waybill' finds only a copy installed with pip (pip install clients/python)");
        }
    }

    private static void Write(string root, string package)
    {
        // The engine owns .waybill/python/: whatever else stands there (a file, a link) is removed, never written through.
        foreach (var folder in new[] { root, package })
        {
            if (PathEntry.KindOf(folder) is not (EntryKind.Directory or EntryKind.Missing)) PathEntry.Remove(folder);
            Directory.CreateDirectory(folder);
        }
        foreach (var (name, content) in Files)
        {
            var path = Path.Combine(package, name);
            if (!SameContent(path, content)) AtomicFile.WriteAllBytes(path, content);
        }
        foreach (var stale in Directory.EnumerateFiles(package, "*.py"))
            if (!Files.ContainsKey(Path.GetFileName(stale))) File.Delete(stale);
    }

    private static bool SameContent(string path, byte[] content)
    {
        if (PathEntry.KindOf(path) != EntryKind.File) return false;
        using var handle = File.OpenHandle(path);
        if (RandomAccess.GetLength(handle) != content.Length) return false;
        var existing = new byte[content.Length];
        var read = 0;
        while (read < existing.Length)
        {
            var n = RandomAccess.Read(handle, existing.AsSpan(read), read);
            if (n == 0) return false;
            read += n;
        }
        return existing.AsSpan().SequenceEqual(content);
    }

    /// <summary>PYTHONPATH with the client's folder first and the value the stage would otherwise get after it.</summary>
    public static string PythonPath(string folder, string? existing) =>
        string.IsNullOrEmpty(existing) ? folder : folder + Path.PathSeparator + existing;
}
