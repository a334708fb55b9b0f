using System.Globalization;

namespace Waybill.Core.Processes;

/// <summary>
/// Runs a child through GNU time (<c>/usr/bin/time</c>) when it is installed, so its peak RSS is exact:
/// a process spawned straight from the engine inherits the engine's peak RSS as its starting peak (a Linux rule
/// at exec), while one forked by the small <c>time</c> process starts clean. CPU times still come from wait4.
/// Costs about 2–3 ms per process; set WAYBILL_PRECISE_RSS=0 to spawn directly.
/// </summary>
public static class MeasuredProcess
{
    private const string GnuTime = "/usr/bin/time";

    public static bool Precise { get; } = Environment.GetEnvironmentVariable("WAYBILL_PRECISE_RSS") != "0" && File.Exists(GnuTime);

    public static async Task<ProcessResult> RunAsync(ProcessSpec spec, Action<string> onStdoutLine, Action<string> onStderrLine, CancellationToken cancellationToken)
    {
        if (!Precise) return await ChildProcess.RunAsync(spec, onStdoutLine, onStderrLine, cancellationToken);
        // Resolve first, so a missing program is still reported by name rather than by GNU time.
        var program = spec.FileName.Contains('/', StringComparison.Ordinal)
            ? spec.FileName
            : ChildProcess.ResolveOnPath(spec.FileName, spec.Environment.GetValueOrDefault("PATH")) ?? spec.FileName;
        if (!File.Exists(program)) return await ChildProcess.RunAsync(spec, onStdoutLine, onStderrLine, cancellationToken);
        var report = Path.Combine(Path.GetTempPath(), $"waybill-rss-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var wrapped = spec with { FileName = GnuTime, Arguments = ["-q", "-f", "%M", "-o", report, program, .. spec.Arguments] };
            var result = await ChildProcess.RunAsync(wrapped, onStdoutLine, onStderrLine, cancellationToken);
            return File.Exists(report) && long.TryParse(File.ReadLines(report).LastOrDefault(l => l.Length > 0), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib)
                ? result with { PeakRssBytes = kib * 1024 }
                : result;
        }
        finally
        {
            try { File.Delete(report); } catch (IOException) { }
        }
    }
}
