using Waybill.Core.Execution;
using Waybill.Core.Processes;
using Waybill.Core.Stages;

namespace Waybill.Media.Tools;

/// <summary>Finds a program the stage needs and records its version; a missing one fails with how to install it.</summary>
public static class ExternalTool
{
    /// <summary>Debian packages that provide each program.</summary>
    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["ffmpeg"] = "ffmpeg",
        ["ffprobe"] = "ffmpeg",
        ["espeak-ng"] = "espeak-ng",
        ["sox"] = "sox",
        ["pocketsphinx_continuous"] = "pocketsphinx",
    };

    /// <summary>The program's full path. Throws <see cref="StageFailedException"/> naming the package when it is missing.</summary>
    public static string Require(StageContext context, string program)
    {
        var path = context.CommandPath();
        return ChildProcess.ResolveOnPath(program, path)
            ?? throw new StageFailedException($"{program} is not installed: not found on PATH ({path}). {InstallHint(program)}");
    }

    public static string InstallHint(string program) =>
        Packages.TryGetValue(program, out var package)
            ? $"Install it with: apt-get install {package} (scripts/setup.sh installs everything)"
            : "Install it or put it on PATH";

    /// <summary>Runs <paramref name="program"/> with <paramref name="versionArguments"/> and records the first line of its output.</summary>
    public static async Task<string> RecordVersionAsync(StageContext context, string program, string[] versionArguments, CancellationToken cancellationToken)
    {
        string? first = null;
        await context.RunProcessAsync(Require(context, program), versionArguments, cancellationToken, standardOutput: line => first ??= line);
        var version = first?.Trim() ?? "unknown";
        context.SetToolVersion(program, version, string.Join(' ', versionArguments.Prepend(program)));
        return version;
    }
}
