using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.IO;

namespace Waybill.Core.Jobs;

/// <summary>
/// One writer per job folder: an exclusive lock on <c>.waybill/run.lock</c> held for the whole run. The kernel drops
/// the lock when its process dies, so a killed run never leaves the job locked; <c>.waybill/run.lock.json</c> says who
/// holds it (for the refusal message) and, when found on a free lock, which dead run left it behind.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream _handle;
    private readonly string _infoPath;

    private RunLock(FileStream handle, string infoPath, LockHolder? previous)
    {
        _handle = handle;
        _infoPath = infoPath;
        TakenOverFrom = previous;
    }

    /// <summary>The holder recorded by a run that ended without releasing the lock (killed), when there was one.</summary>
    public LockHolder? TakenOverFrom { get; }

    private static string LockPath(JobLayout layout) => Path.Combine(layout.StateDir, "run.lock");

    private static string InfoPath(JobLayout layout) => Path.Combine(layout.StateDir, "run.lock.json");

    /// <summary>
    /// Whether a live process holds the job, asked without keeping the lock (readers such as verify must neither
    /// block a run nor rewrite run.lock.json, which names the holder of a killed run). <paramref name="holder"/> is
    /// the recorded holder: the live one, or the one a killed run left behind.
    /// </summary>
    public static bool IsHeld(JobLayout layout, out LockHolder? holder)
    {
        holder = LockHolder.Read(InfoPath(layout));
        if (!File.Exists(LockPath(layout))) return false;
        try
        {
            // The same flock(LOCK_EX | LOCK_NB) as Acquire, held for an instant: it fails only while another open file holds it.
            using var probe = new FileStream(LockPath(layout), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            return !TryLock(probe);
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            // A job folder we may not open is reported file by file elsewhere; "not held" is the cautious answer here.
            return false;
        }
    }

    /// <exception cref="JobLockedException">Another live process holds the job.</exception>
    public static RunLock Acquire(JobLayout layout, string purpose, string? runId = null)
    {
        try
        {
            Directory.CreateDirectory(layout.StateDir);
        }
        catch (IOException e) when (IO.FileSystemErrors.IsReadOnly(e))
        {
            throw ReadOnly(layout, e);
        }
        var lockPath = LockPath(layout);
        var infoPath = InfoPath(layout);
        FileStream handle;
        try
        {
            // flock(LOCK_EX | LOCK_NB): exclusive across processes and released when the holder dies. It is taken here rather
            // than through FileShare.None because the CLI turns off .NET's own per-file locking (System.IO.DisableFileLocking),
            // which costs two flock calls on every file it opens. (Where that locking is on, the open itself fails while
            // another process holds the lock.)
            handle = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
        }
        catch (IOException e) when (!IO.FileSystemErrors.IsReadOnly(e))
        {
            throw Locked(layout, infoPath);
        }
        catch (IOException e)
        {
            // A job on a read-only mount cannot be changed by anyone: say so, not "in use".
            throw ReadOnly(layout, e);
        }
        bool locked;
        try
        {
            locked = TryLock(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        if (!locked)
        {
            handle.Dispose();
            throw Locked(layout, infoPath);
        }
        var previous = LockHolder.Read(infoPath);
        if (previous is not null && previous.Pid == Environment.ProcessId && previous.Host == Environment.MachineName) previous = null;
        var mine = new LockHolder(Environment.ProcessId, Environment.MachineName, purpose, runId, DateTimeOffset.UtcNow);
        AtomicFile.WriteAllText(infoPath, mine.ToJson());
        return new RunLock(handle, infoPath, previous);
    }

    private static IOException ReadOnly(JobLayout layout, Exception? inner) => new(
        $"job {layout.JobId} cannot be changed: {IO.FileSystemErrors.Describe(layout.Root)} is a read-only file system (EROFS). " +
        "Remount it read-write (mount -o remount,rw <mount point>) or copy the job to a writable folder, then try again.", inner);

    private static JobLockedException Locked(JobLayout layout, string infoPath)
    {
        var holder = LockHolder.Read(infoPath);
        var who = holder is null ? "another process" : holder.Describe();
        return new JobLockedException(layout.Root, holder,
            $"job {layout.JobId} is in use by {who}. Wait for it to finish, or stop it (Ctrl-C or kill {holder?.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "<pid>"}) and try again.");
    }

    private static bool TryLock(FileStream file)
    {
        if (Processes.LibC.Flock(file.SafeFileHandle, Processes.LibC.LockExclusive | Processes.LibC.LockNonBlocking) == 0) return true;
        var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return error == Processes.LibC.EWouldBlock
            ? false
            : throw new IOException($"cannot lock {file.Name}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error)}");
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_infoPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover info file only makes the next run say it took over; the lock itself is released below.
        }
        _handle.Dispose();
    }
}

/// <summary>Who holds (or held) a job's run lock.</summary>
public sealed record LockHolder(int Pid, string Host, string Purpose, string? RunId, DateTimeOffset Since)
{
    public string Describe() =>
        $"waybill {Purpose} (pid {Pid} on {Host}{(RunId is null ? "" : $", run {RunId}")}, since {Since:yyyy-MM-dd HH:mm:ss}Z)";

    public string ToJson() => new JsonObject
    {
        ["pid"] = Pid,
        ["host"] = Host,
        ["purpose"] = Purpose,
        ["run_id"] = RunId,
        ["since"] = Since,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>64 KiB: the record is about 150 bytes (a pid, a host name, a purpose, a run id and a time).</summary>
    internal const int HolderMaxBytes = 64 << 10;

    /// <summary>The recorded holder, or null when there is none or the file is unreadable (the lock itself is what counts).</summary>
    public static LockHolder? Read(string infoPath)
    {
        try
        {
            if (!File.Exists(infoPath)) return null;
            // A holder's record is five short fields; a larger file (a link to /dev/zero) is unreadable like any other.
            if (!IO.BoundedFileRead.TryReadAllBytes(infoPath, HolderMaxBytes, out var bytes)) return null;
            if (JsonNode.Parse(IO.BoundedFileRead.Json(bytes)) is not JsonObject node || node["pid"] is not JsonValue pid) return null;
            return new LockHolder(
                pid.GetValue<int>(),
                node["host"]?.GetValue<string>() ?? "?",
                node["purpose"]?.GetValue<string>() ?? "run",
                node["run_id"]?.GetValue<string>(),
                node["since"]?.GetValue<DateTimeOffset>() ?? DateTimeOffset.MinValue);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}

public sealed class JobLockedException(string jobRoot, LockHolder? holder, string message) : Exception(message)
{
    public string JobRoot { get; } = jobRoot;
    public LockHolder? Holder { get; } = holder;
}
