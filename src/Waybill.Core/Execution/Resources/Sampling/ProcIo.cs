using System.Globalization;

namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// <c>/proc/&lt;pid&gt;/io</c>: <c>read_bytes</c> and <c>write_bytes</c>, what the process (and the children it waited for)
/// made the kernel fetch from and send to storage. Not <c>rchar</c>/<c>wchar</c>, which also count pipes, sockets and reads
/// served from the page cache.
/// </summary>
internal static class ProcIo
{
    /// <summary>The two counts; null when the text holds neither (the file is unreadable without ptrace rights).</summary>
    public static (long Read, long Write)? Parse(string text)
    {
        long? read = null, write = null;
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line.AsSpan(0, colon);
            if (!long.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)) continue;
            if (name.SequenceEqual("read_bytes")) read = value;
            else if (name.SequenceEqual("write_bytes")) write = value;
        }
        return read is { } r && write is { } w ? (r, w) : null;
    }

    public static (long Read, long Write)? Read(int pid, Span<byte> buffer) =>
        Processes.ProcFile.Read(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/io"), buffer) is { } text ? Parse(text) : null;
}
