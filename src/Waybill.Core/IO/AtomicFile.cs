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
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                stream.Write(content);
                if (Durable) stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
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
    private static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "." + Path.GetFileName(path) + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
