using System.Buffers;
using System.Runtime.InteropServices;

namespace Waybill.Core.Hashing;

/// <summary>
/// Hashes a regular file whose stamp was just read, and says whether the file still has that stamp after it was
/// read (so its checksum may be remembered by it). Plain open/pread/fstat/close through glibc: .NET's file handles
/// add an fstat and two flock calls per file to emulate FileShare, which doubles the system calls of hashing a
/// small file; here a file costs one open, one read per megabyte, one fstat and one close.
/// </summary>
internal static unsafe partial class StampedFileHasher
{
    private const int BufferSize = 1 << 20;
    private const int ORdonly = 0;
    private const int ONonblock = 0x800;
    private const int OCloexec = 0x80000;
    private const int Eintr = 4;

    /// <exception cref="IOException">The file cannot be opened or read; the message says why.</exception>
    public static string Compute(string path, ChecksumAlgorithm algorithm, FileStamp before, out bool unchanged)
    {
        // O_NONBLOCK: should the path have become a FIFO since it was stat'ed, opening it must not wait for a writer.
        var fd = Open(path, ORdonly | OCloexec | ONonblock, 0);
        if (fd < 0) throw Failure(path, Marshal.GetLastPInvokeError());
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        string hash;
        try
        {
            // Only the stamped size is read, so a small file costs one read: a file that changed meanwhile fails the
            // check below and is read again in full.
            var span = buffer.AsSpan(0, BufferSize);
            long total = Fill(fd, path, span[..(int)Math.Min(span.Length, before.Size)], 0);
            if (total < span.Length)
            {
                hash = ContentHash.Of(algorithm, span[..(int)total]);
            }
            else
            {
                using var incremental = new ContentHash(algorithm);
                incremental.Append(span);
                int read;
                while (total < before.Size && (read = Fill(fd, path, span[..(int)Math.Min(span.Length, before.Size - total)], total)) > 0)
                {
                    incremental.Append(span[..read]);
                    total += read;
                }
                hash = incremental.Finish();
            }
            unchanged = total == before.Size && FileStamp.TryRead(fd, out var after) == FileStampStatus.RegularFile && after == before;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _ = Close(fd);
        }
        return unchanged ? hash : FileHasher.Compute(path, algorithm);
    }

    /// <summary>Reads until the span is full or the file ends; returns the bytes read.</summary>
    private static int Fill(int fd, string path, Span<byte> span, long offset)
    {
        var total = 0;
        fixed (byte* start = span)
        {
            while (total < span.Length)
            {
                var read = Pread(fd, start + total, span.Length - total, offset + total);
                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Eintr) continue;
                    throw Failure(path, errno);
                }
                if (read == 0) break;
                total += (int)read;
            }
        }
        return total;
    }

    private static IOException Failure(string path, int errno) => new($"cannot read {path}: {Marshal.GetPInvokeErrorMessage(errno)}");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial nint Pread(int fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
