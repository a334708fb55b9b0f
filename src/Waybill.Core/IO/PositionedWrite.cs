using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Waybill.Core.IO;

/// <summary>
/// pwrite(2) of a whole span at an offset of a regular file. RandomAccess.Write first asks a new handle whether it can seek
/// (an lseek): one system call more for every manifest and every stage.log, which are written through new handles.
/// </summary>
internal static unsafe class PositionedWrite
{
    private const int Eintr = 4;

    /// <summary>
    /// Writes all of <paramref name="bytes"/> at <paramref name="offset"/>; an error is an IOException as .NET words it, its
    /// HResult the errno (FileSystemErrors tells a full disk by it).
    /// </summary>
    public static void All(SafeFileHandle file, ReadOnlySpan<byte> bytes, long offset, string path)
    {
        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            var fd = (int)file.DangerousGetHandle();
            fixed (byte* start = bytes)
            {
                var done = 0;
                while (done < bytes.Length)
                {
                    var written = Processes.LibC.PWrite(fd, start + done, bytes.Length - done, offset + done);
                    if (written >= 0)
                    {
                        done += (int)written;
                        continue;
                    }
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Eintr) throw new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} : '{path}'", errno);
                }
            }
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }
}
