using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Waybill.Core.Processes;

/// <summary>
/// Runs a command and measures its peak RSS as exactly as it can afford. Linux starts a new program's peak-RSS count at
/// the peak of the address space it was exec'd from, so a child spawned straight from the engine reports at least the
/// engine's own peak. A process spawner (<see cref="UseSpawner"/>), started once per run, starts commands from its own
/// small address space instead and reports their status and usage back: their figures are exact above the spawner's few
/// MB and flagged as an upper bound (<see cref="ProcessResult.PeakRssIsUpperBound"/>) below. GNU time
/// (<c>/usr/bin/time</c>) forks each command from a small process of its own: exact too, but one more program start
/// (about 1 ms of CPU) per command.
/// WAYBILL_PRECISE_RSS picks: unset (auto) the spawner, <c>1</c> GNU time, <c>0</c> neither. Without a spawner (none
/// configured, or it could not start or ended: one warning), auto goes through GNU time only while the engine's own peak
/// is above <see cref="AutoThresholdBytes"/> — below it a direct child's figure is exact whenever the command used more
/// than that, and flagged as an upper bound otherwise.
/// </summary>
public static class MeasuredProcess
{
    private const string GnuTime = "/usr/bin/time";

    /// <summary>The engine peak RSS above which "auto" measures through GNU time: 64 MiB.</summary>
    public const long AutoThresholdBytes = 64L * 1024 * 1024;

    private static readonly string? Setting = Environment.GetEnvironmentVariable("WAYBILL_PRECISE_RSS");
    private static readonly bool GnuTimeInstalled = File.Exists(GnuTime);

    private static SpawnerSlot? s_spawner;

    private static bool ThroughGnuTime(long enginePeak) => GnuTimeInstalled && Setting switch
    {
        "0" => false,
        "1" => true,
        _ => enginePeak > AutoThresholdBytes,
    };

    /// <summary>
    /// Names the program that serves as this engine's process spawner (<see cref="SpawnerServer"/>): an absolute path, and
    /// the arguments that put it in that mode. It starts the first time a command runs.
    /// </summary>
    public static void UseSpawner(string program, IReadOnlyList<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        s_spawner = new SpawnerSlot([program, .. arguments]);
    }

    /// <summary>
    /// Stops the process spawner, if one was started, and waits up to <paramref name="timeout"/> for it to end: without
    /// this it outlives the process by a moment, as an orphan whose commands' CPU time no one counts
    /// (`/usr/bin/time waybill run …` showed half the CPU of a run of 3,000 no-op commands).
    /// </summary>
    public static void StopSpawner(TimeSpan timeout)
    {
        foreach (var spawner in s_spawner?.All ?? []) spawner.Stop(timeout);
    }

    /// <summary>
    /// While <paramref name="owns"/>, commands run on this thread go through a spawner of its own whose replies it reads
    /// itself while it waits (no other thread wakes per command); <see cref="StopOwnSpawner"/> stops it. For a thread that
    /// runs one thing at a time.
    /// </summary>
    internal static void OwnSpawnerOnThisThread(bool owns)
    {
        if (s_spawner is not null && Setting is not ("0" or "1")) SpawnerSlot.OwnOnThisThread(owns);
    }

    internal static void StopOwnSpawner(TimeSpan timeout) => s_spawner?.StopOwned(timeout);

    /// <param name="logger">Where the one warning goes when the process spawner cannot start or has ended.</param>
    public static Task<ProcessResult> RunAsync(
        ProcessSpec spec,
        Action<string> onStdoutLine,
        Action<string> onStderrLine,
        CancellationToken cancellationToken,
        OutputLimits? stdoutLimits = null,
        OutputLimits? stderrLimits = null,
        ILogger? logger = null) =>
        RunAsync(spec, onStdoutLine, onStderrLine, s_spawner, logger, cancellationToken, stdoutLimits, stderrLimits);

    internal static async Task<ProcessResult> RunAsync(
        ProcessSpec spec,
        Action<string> onStdoutLine,
        Action<string> onStderrLine,
        SpawnerSlot? spawners,
        ILogger? logger,
        CancellationToken cancellationToken,
        OutputLimits? stdoutLimits = null,
        OutputLimits? stderrLimits = null)
    {
        if (Setting is not ("0" or "1") && spawners?.Get(logger) is { } spawner)
        {
            try
            {
                return await ChildProcess.RunAsync(spec, onStdoutLine, onStderrLine, spawner, cancellationToken, null, stdoutLimits, stderrLimits);
            }
            catch (SpawnerUnavailableException)
            {
                // It ended before taking the command, so nothing started: start it as without a spawner (Get warns).
                _ = spawners.Get(logger);
            }
        }

        var enginePeak = Execution.ProcessMeter.Read().PeakRssBytes;
        if (!ThroughGnuTime(enginePeak)) return await Direct();
        // Resolve first, so a missing program is still reported by name rather than by GNU time.
        var program = spec.FileName.Contains('/', StringComparison.Ordinal)
            ? spec.FileName
            : ChildProcess.ResolveOnPath(spec.FileName, spec.Environment.GetValueOrDefault("PATH")) ?? spec.FileName;
        if (!File.Exists(program)) return await Direct();
        // Beside the command (its working folder: the stage folder for command stages), named like AtomicFile's temp
        // files: a run killed while the command ran leaves it where the next run's clean-up of a killed run removes it,
        // rather than in /tmp for good.
        var folder = spec.WorkingDirectory.Length > 0 ? spec.WorkingDirectory : Environment.CurrentDirectory;
        var report = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture,
            $".peak-rss.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp"));
        try
        {
            var wrapped = spec with { FileName = GnuTime, Arguments = ["-q", "-f", "%M", "-o", report, program, .. spec.Arguments] };
            var result = await ChildProcess.RunAsync(wrapped, onStdoutLine, onStderrLine, cancellationToken, null, stdoutLimits, stderrLimits);
            return File.Exists(report) && long.TryParse(File.ReadLines(report).LastOrDefault(l => l.Length > 0), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib)
                ? result with { PeakRssBytes = kib * 1024 }
                : result;
        }
        finally
        {
            try { File.Delete(report); } catch (IOException) { }
        }

        async Task<ProcessResult> Direct()
        {
            var result = await ChildProcess.RunAsync(spec, onStdoutLine, onStderrLine, cancellationToken, null, stdoutLimits, stderrLimits);
            return result with { PeakRssIsUpperBound = result.ProcessId != 0 && result.PeakRssBytes <= enginePeak };
        }
    }
}
