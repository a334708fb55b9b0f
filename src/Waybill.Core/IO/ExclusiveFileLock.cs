using System.Runtime.InteropServices;
using Waybill.Core.Processes;

namespace Waybill.Core.IO;

/// <summary>
/// An exclusive lock on a file (flock, non-blocking) for work that one process at a time may do, such as writing one
/// download. The kernel drops it when the holder dies, so a killed process never leaves it taken. flock rather than
/// FileShare: the CLI turns .NET's own file locking off (System.IO.DisableFileLocking).
/// </summary>
public sealed class ExclusiveFileLock : IDisposable
{
    private readonly FileStream _handle;

    private ExclusiveFileLock(FileStream handle) => _handle = handle;

    /// <summary>The lock on <paramref name="path"/> (created when missing), or null while another open file holds it.</summary>
    public static ExclusiveFileLock? TryAcquire(string path)
    {
        var handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
        try
        {
            if (LibC.Flock(handle.SafeFileHandle, LibC.LockExclusive | LibC.LockNonBlocking) == 0) return new ExclusiveFileLock(handle);
            var error = Marshal.GetLastPInvokeError();
            if (error == LibC.EWouldBlock)
            {
                handle.Dispose();
                return null;
            }
            throw new IOException($"cannot lock {path}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Dispose() => _handle.Dispose();
}
