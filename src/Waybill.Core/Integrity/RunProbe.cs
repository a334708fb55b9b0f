using Waybill.Core.Jobs;

namespace Waybill.Core.Integrity;

/// <summary>
/// Whether a live run holds the job's run lock, asked without taking it: verify only reads, so it must neither
/// block a run that starts meanwhile nor rewrite <c>run.lock.json</c>, which names the holder of a killed run.
/// </summary>
internal static class RunProbe
{
    public static bool IsHeld(JobLayout layout, out LockHolder? holder)
    {
        holder = null;
        var lockPath = Path.Combine(layout.StateDir, "run.lock");
        if (!File.Exists(lockPath)) return false;
        try
        {
            // FileShare.None takes flock(LOCK_EX | LOCK_NB), as RunLock does; it fails only while another open file holds it.
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.None, 1);
            holder = LockHolder.Read(Path.Combine(layout.StateDir, "run.lock.json"));
            return false;
        }
        catch (IOException)
        {
            holder = LockHolder.Read(Path.Combine(layout.StateDir, "run.lock.json"));
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            // A job folder we may not open for reading is reported file by file; "not held" is the cautious answer here.
            return false;
        }
    }
}
