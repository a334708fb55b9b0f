using Waybill.Media.Model;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Processes;
using Waybill.Media.Tools;

namespace Waybill.Media.Tools;

/// <summary>
/// Runs ffmpeg or ffprobe for a stage so that failures can quote the tool's own error lines.
/// <see cref="StageContext.RunProcessAsync"/> sends stderr to stage.log only, so stderr is routed where the stage can
/// read it: merged into stdout for ffmpeg (which writes nothing else there), or into a file for ffprobe (whose stdout
/// is the JSON). Every line still reaches stage.log. Pass <c>-loglevel level+…</c> so lines carry their level.
/// </summary>
public sealed partial class FfmpegRun
{
    private const int KeptErrors = 200;
    private readonly List<string> _errors = [];
    private string? _first;

    internal FfmpegRun(ProcessResult? process = null) => Process = process;

    /// <summary>How the process ended; set once it has.</summary>
    public ProcessResult? Process { get; private set; }

    public int ExitCode => Process?.ExitCode ?? -1;

    /// <summary>Lines the tool logged at level error or worse (the last <see cref="KeptErrors"/>), without addresses.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>How many error lines there were in all.</summary>
    public int ErrorCount { get; private set; }

    /// <summary>The last error line, or a fallback naming the exit code.</summary>
    public string LastError => _errors.Count > 0 ? _errors[^1] : $"exit code {ExitCode}, no error message";

    /// <summary>The first error line (usually the cause) and the last (what gave up), or <see cref="LastError"/> alone.</summary>
    public string ErrorSummary => _first is null || _first == LastError ? LastError : ErrorCount > 2 ? $"{_first}; …; {LastError}" : $"{_first}; {LastError}";

    /// <summary>Runs <paramref name="program"/> (ffmpeg) with stderr merged into stdout.</summary>
    public static async Task<FfmpegRun> RunAsync(StageContext context, string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var path = ExternalTool.Require(context, program);
        var run = new FfmpegRun();
        run.Process = await context.RunProcessAsync("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>&1", path, .. arguments], cancellationToken, standardOutput: line =>
        {
            context.Logger.LogDebug("stderr| {Line}", line);
            run.Observe(line);
        });
        cancellationToken.ThrowIfCancellationRequested();
        return run;
    }

    /// <summary>Runs <paramref name="program"/> (ffprobe) with stdout to <paramref name="standardOutput"/> and stderr collected through a file.</summary>
    public static async Task<FfmpegRun> RunAsync(StageContext context, string program, IReadOnlyList<string> arguments, Action<string> standardOutput, CancellationToken cancellationToken)
    {
        var path = ExternalTool.Require(context, program);
        var stderr = Path.Combine(Path.GetTempPath(), $"waybill-{program}-{Guid.NewGuid():N}.stderr");
        try
        {
            var run = new FfmpegRun();
            run.Process = await context.RunProcessAsync("/bin/sh", ["-c", "e=$1; shift; exec \"$@\" 2>\"$e\"", "sh", stderr, path, .. arguments], cancellationToken, standardOutput: standardOutput);
            cancellationToken.ThrowIfCancellationRequested();
            if (File.Exists(stderr))
            {
                foreach (var line in File.ReadLines(stderr))
                {
                    context.Logger.LogDebug("stderr| {Line}", line);
                    run.Observe(line);
                }
            }
            return run;
        }
        finally
        {
            File.Delete(stderr);
        }
    }

    /// <summary>Classifies one output line by its <c>[level]</c> tag (from <c>-loglevel level+…</c>).</summary>
    internal void Observe(string line)
    {
        var match = LevelLine().Match(line);
        if (!match.Success || match.Groups["level"].Value is not ("error" or "fatal" or "panic")) return;
        ErrorCount++;
        var context = match.Groups["ctx"].Value;
        var message = match.Groups["msg"].Value.Trim();
        if (message.Length == 0) return;
        var error = context.Length > 0 ? $"{context}: {message}" : message;
        _first ??= error;
        _errors.Add(error);
        if (_errors.Count > KeptErrors) _errors.RemoveAt(0);
    }

    /// <summary><c>[aac @ 0x55…] [error] message</c> or <c>[error] message</c>.</summary>
    [GeneratedRegex(@"^(?:\[(?<ctx>[^\]@]+?)\s*@\s*0x[0-9a-fA-F]+\]\s*)?\[(?<level>[a-z]+)\]\s?(?<msg>.*)$")]
    private static partial Regex LevelLine();
}
