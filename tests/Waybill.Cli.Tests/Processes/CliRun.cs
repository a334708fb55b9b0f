using System.Diagnostics;
using System.Globalization;
using Waybill.Cli.Tests.Support;

namespace Waybill.Cli.Tests.Processes;

/// <summary>Starts the CLI and waits for it with a bound; a CLI that outlives the bound is killed and reported.</summary>
internal static class CliRun
{
    public sealed record Finished(int ExitCode, string Output, TimeSpan Elapsed, long PeakRssKiB);

    /// <summary>Runs the CLI under GNU time (<c>/usr/bin/time -f %M</c>) so its peak RSS is measured from outside.</summary>
    public static async Task<Finished> MeasuredAsync(string folder, TimeSpan bound, IDictionary<string, string>? environment, params string[] args)
    {
        var report = Path.Combine(folder, "peak-rss.txt");
        var command = $"exec /usr/bin/time -f %M -o '{report}' {CliProcess.ShellCommand} {string.Join(' ', args.Select(a => "'" + a + "'"))}";
        var info = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var finished = await WaitAsync(process, bound);
        var peak = long.Parse(File.ReadLines(report).Last(l => l.Length > 0), CultureInfo.InvariantCulture);
        return finished with { PeakRssKiB = peak };
    }

    public static async Task<Finished> RunAsync(string folder, TimeSpan bound, IDictionary<string, string>? environment, params string[] args)
    {
        using var process = CliProcess.Start(folder, environment, args);
        return await WaitAsync(process, bound);
    }

    public static async Task<Finished> WaitAsync(Process process, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"waybill did not finish within {bound.TotalSeconds} s: {await stdout}{await stderr}");
        }
        return new Finished(process.ExitCode, await stdout + await stderr, clock.Elapsed, 0);
    }

    /// <summary>True while a process with this pid exists and is not a zombie.</summary>
    public static bool Alive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && ReadStat(pid) is { } stat && !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');

    /// <summary>Live (not zombie) processes whose process group is <paramref name="group"/>.</summary>
    public static List<int> GroupMembers(int group)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || ReadStat(pid) is not { } stat) continue;
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] != "Z" && fields[2] == group.ToString(CultureInfo.InvariantCulture)) members.Add(pid);
        }
        return members;
    }

    /// <summary>The process group of a running process (the command may run under GNU time, which then leads the group).</summary>
    public static int GroupOf(int pid)
    {
        var stat = ReadStat(pid) ?? throw new InvalidOperationException($"process {pid} is gone");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Polls <paramref name="condition"/> every 20 ms until it holds or <paramref name="bound"/> passes. The bound is a
    /// safety net, so it is generous (a busy machine is slow to deliver a signal or start a stage): a condition that holds
    /// returns at once, and one waiting for a process to end stays below the time that process would end by itself.
    /// </summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > bound) return false;
            await Task.Delay(20);
        }
        return true;
    }

    private static string? ReadStat(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
    }
}
