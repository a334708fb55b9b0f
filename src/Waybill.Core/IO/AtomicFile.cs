using System.Text;

namespace Waybill.Core.IO;

/// <summary>Writes whole files so that a reader, or a run killed mid-write, sees either the old or the new content.</summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var temp = TempPathFor(path);
        try
        {
            // A bare handle and one positioned write: a FileStream would add its own bookkeeping calls to every manifest.
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                PositionedWrite.All(handle, content, 0, temp);
                if (Durable) RandomAccess.FlushToDisk(handle);
            }
            Replace(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void WriteAllText(string path, string content) => WriteAllBytes(path, Encoding.UTF8.GetBytes(content));

    /// <summary>fsync costs milliseconds on disk; a killed process never needs it, a power cut does. Opt in with WAYBILL_FSYNC=1.</summary>
    public static bool Durable { get; set; } = Environment.GetEnvironmentVariable("WAYBILL_FSYNC") == "1";

    // The temp file sits beside the target so the rename never crosses file systems.
    // The pid and a random number keep concurrent writers (and a killed writer's leftovers) apart.
    private static string TempPathFor(string path)
    {
        var full = Path.IsPathFullyQualified(path) ? path : Path.GetFullPath(path);
        return Path.Join(Path.GetDirectoryName(full.AsSpan()), "." + Path.GetFileName(full) + "." + Environment.ProcessId + "." + Random.Shared.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + ".tmp");
    }

    // rename(2) itself: File.Move checks the source with an extra lstat first, on every manifest written.
    private static void Replace(string temp, string path)
    {
        if (Processes.LibC.Rename(temp, path) == 0) return;
        var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        var message = $"cannot write {path}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error)}";
        throw error is Processes.LibC.EAcces or Processes.LibC.EPerm ? new UnauthorizedAccessException(message) : new IOException(message);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
