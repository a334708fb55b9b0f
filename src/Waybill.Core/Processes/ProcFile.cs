using System.Text;

namespace Waybill.Core.Processes;

/// <summary>Reads a small /proc file into a caller's buffer: one open and one read, no stream.</summary>
internal static class ProcFile
{
    /// <summary>The file's text (at most the buffer's size); null when it is gone or cannot be read.</summary>
    public static string? Read(string path, Span<byte> buffer)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var length = RandomAccess.Read(handle, buffer, 0);
            return Encoding.UTF8.GetString(buffer[..length]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
