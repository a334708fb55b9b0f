using Waybill.Core.Processes;

namespace Waybill.Core.IO;

/// <summary>
/// Reads a small file whole in four system calls (open, read until end, close), where <c>File.Exists</c> and
/// <c>File.ReadAllBytes</c> take six (stat, open, two fstat, read, close): a no-op rerun reads one stage manifest per
/// stage run, 100,000 in a large fan-out, and each system call costs 3–7 µs on the machine of docs/performance.md.
/// </summary>
internal static unsafe class SmallFileRead
{
    private const int Enoent = 2;
    private const int Eintr = 4;
    private const int FirstBuffer = 8192;

    /// <summary>
    /// True with the file's bytes; false with <paramref name="missing"/> when nothing is at the path (ENOENT, what
    /// <c>File.Exists</c> reports as false), or false alone for anything else (a folder, no permission, not Linux),
    /// which the caller then reads as it otherwise would, to say why. A file of more than <paramref name="maxBytes"/> (a
    /// link to <c>/dev/zero</c> never ends) is false too: the caller's own read gives its clear error.
    /// </summary>
    public static bool TryRead(string path, int maxBytes, out PooledBytes bytes, out bool missing)
    {
        (bytes, missing) = (default, false);
        if (!OperatingSystem.IsLinux()) return false;
        var fd = LibC.Open(path, LibC.ORdonly | LibC.OCloexec);
        if (fd < 0)
        {
            missing = System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Enoent;
            return false;
        }
        // Pooled, and lent to the caller as it is: a fresh 8 KB per manifest would be 800 MB of garbage over 100,000 of
        // them, and a copy of the bytes read was 1.6 KB of each manifest's 3.5 KB.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(FirstBuffer);
        var lent = false;
        try
        {
            var length = 0;
            while (true)
            {
                if (length > maxBytes) return false;
                if (length == buffer.Length)
                {
                    var larger = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                nint read;
                fixed (byte* at = &buffer[length]) read = LibC.Read(fd, at, buffer.Length - length);
                if (read < 0)
                {
                    if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Eintr) continue;
                    return false;
                }
                if (read == 0) break;
                length += (int)read;
            }
            (bytes, lent) = (new PooledBytes(buffer, length), true);
            return true;
        }
        finally
        {
            if (!lent) System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            LibC.Close(fd);
        }
    }
}

/// <summary>A file's bytes in a buffer borrowed from the shared pool, given back on <see cref="Dispose"/>: read nothing after.</summary>
internal readonly struct PooledBytes(byte[]? buffer, int length) : IDisposable
{
    public ReadOnlySpan<byte> Span => buffer is null ? [] : buffer.AsSpan(0, length);

    public void Dispose()
    {
        if (buffer is not null) System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
    }
}
