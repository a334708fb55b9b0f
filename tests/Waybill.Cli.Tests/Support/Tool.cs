using System.Diagnostics;

namespace Waybill.Cli.Tests.Support;

/// <summary>Runs a helper program (ffmpeg, ffprobe, espeak-ng) for a test and returns its stdout; a failure fails the test.</summary>
public static class Tool
{
    public static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }

    /// <summary>ffmpeg quietly, overwriting.</summary>
    public static void Ffmpeg(params string[] arguments) => Run("ffmpeg", ["-nostdin", "-y", "-v", "error", .. arguments]);
}
