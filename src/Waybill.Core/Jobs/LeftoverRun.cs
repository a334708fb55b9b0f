using Microsoft.Extensions.Logging;

namespace Waybill.Core.Jobs;

/// <summary>
/// What a killed run leaves behind: command processes still running in their own process groups (they carry
/// WAYBILL_RUN_ID and WAYBILL_JOB_DIR in their environment) and temp files of unfinished atomic writes.
/// The next run stops the first and removes the second before it starts, so nothing writes beside it.
/// </summary>
public static class LeftoverRun
{
    public static void CleanUp(JobLayout layout, LockHolder dead, ILogger log)
    {
        log.LogWarning("Took over job {JobId} from {Holder}, which ended without finishing (killed?); its unfinished stages will run again",
            layout.JobId, dead.Describe());
        if (dead.RunId is not null && dead.Host == Environment.MachineName)
        {
            var stopped = StopProcesses(layout, dead.RunId);
            if (stopped > 0) log.LogWarning("Stopped {Count} process group(s) still running for run {RunId}", stopped, dead.RunId);
        }
        var removed = RemoveTempFiles(layout, dead.Pid);
        if (removed > 0) log.LogInformation("Removed {Count} temp file(s) of unfinished writes", removed);
        var channels = RemoveChannels(layout);
        if (channels > 0) log.LogInformation("Removed {Count} stage channel(s) of stages that did not finish", channels);
    }

    /// <summary>The channels of the dead run's stages (<c>.waybill/channels/</c>): their messages belong to no record.</summary>
    private static int RemoveChannels(JobLayout layout)
    {
        if (IO.PathEntry.KindOf(layout.ChannelsDir) != IO.EntryKind.Directory) return 0;
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(layout.ChannelsDir, "*.jsonl"))
        {
            try
            {
                IO.PathEntry.Remove(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the stage's next run, which removes it before it starts.
            }
        }
        return removed;
    }

    /// <summary>
    /// At the end of a run: kills the process groups of processes its commands left behind outside their own process
    /// groups (a <c>setsid</c> daemon, say), found by the run id in their environment. Returns how many groups.
    /// </summary>
    public static int StopStrays(JobLayout layout, string runId) => StopProcesses(layout, runId);

    private static int StopProcesses(JobLayout layout, string runId)
    {
        if (!Directory.Exists("/proc")) return 0;
        var groups = new HashSet<int>();
        var ownGroup = Processes.LibC.GetPgrp();
        var runMarker = "WAYBILL_RUN_ID=" + runId;
        var jobMarker = "WAYBILL_JOB_DIR=" + layout.Root;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (!environment.Contains(runMarker) || !environment.Contains(jobMarker)) continue;
                // Field 5 of /proc/<pid>/stat is the process group; the command after "(name)" may hold spaces.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.TryParse(fields[2], out var group) && group > 1 && group != ownGroup) groups.Add(group);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone already, or not ours to read.
            }
        }
        foreach (var group in groups) _ = Processes.LibC.Kill(-group, Processes.LibC.SigKill);
        return groups.Count;
    }

    /// <summary>AtomicFile's temp files are named <c>.name.&lt;pid&gt;.&lt;id&gt;.tmp</c>; only the dead run's are removed.</summary>
    private static int RemoveTempFiles(JobLayout layout, int deadPid)
    {
        var marker = "." + deadPid.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".";
        var removed = 0;
        var folders = new[] { layout.Root, layout.LogsDir, layout.StateDir, Path.Combine(layout.PythonClientDir, "waybill") }
            .Concat(Directory.EnumerateDirectories(layout.Root));
        // Never through a folder linked elsewhere: those files are not the dead run's to remove.
        foreach (var folder in folders.Distinct(StringComparer.Ordinal).Where(f => IO.PathEntry.KindOf(f) == IO.EntryKind.Directory))
        {
            foreach (var file in Directory.EnumerateFiles(folder, ".*.tmp"))
            {
                if (!Path.GetFileName(file).Contains(marker, StringComparison.Ordinal)) continue;
                try
                {
                    File.Delete(file);
                    removed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left for the next run.
                }
            }
        }
        return removed;
    }
}
