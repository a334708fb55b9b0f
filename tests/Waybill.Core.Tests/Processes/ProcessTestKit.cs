using System.Globalization;
using Waybill.Core.Processes;

namespace Waybill.Core.Tests.Processes;

internal static class ProcessTestKit
{
    public const string SystemPath = "/usr/local/bin:/usr/bin:/bin";

    public static Dictionary<string, string> Environment() => new(StringComparer.Ordinal) { ["PATH"] = SystemPath };

    public static ProcessSpec Shell(string script, string workingDirectory = "") =>
        new("/bin/sh", ["-c", script], workingDirectory, Environment());

    public static async Task<CapturedRun> CaptureAsync(
        ProcessSpec spec,
        CancellationToken cancellationToken,
        TimeSpan? killGrace = null,
        Action<string>? onStdoutLine = null)
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        var result = await ChildProcess.RunAsync(
            spec,
            line =>
            {
                stdout.Add(line);
                onStdoutLine?.Invoke(line);
            },
            stderr.Add,
            cancellationToken,
            killGrace);
        return new CapturedRun(result, stdout, stderr);
    }

    public static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Pids of processes in the group that are still running; zombies are ignored because orphans are
    /// reaped by whatever init the machine has, which in some containers never happens.</summary>
    public static IReadOnlyList<int> LiveMembersOfGroup(int processGroup)
    {
        var members = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var stat = TryReadStat(pid);
            if (stat is { } s && s.ProcessGroup == processGroup && s.State is not ('Z' or 'X'))
            {
                members.Add(pid);
            }
        }

        return members;
    }

    /// <summary>Polls the condition until it holds or the bound passes (for what another process does on its own time).</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan bound)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > bound) return false;
            await Task.Delay(20);
        }

        return true;
    }

    public static bool IsRunning(int pid) => TryReadStat(pid) is { State: not ('Z' or 'X') };

    private static (char State, int ProcessGroup)? TryReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], int.Parse(fields[2], CultureInfo.InvariantCulture));
    }
}
