using System.Diagnostics;

namespace Waybill.Tests.Support;

/// <summary>Runs a program a test needs (ffmpeg, ffprobe, sox, espeak-ng, tmux) and returns its stdout; a failure throws with its stderr.</summary>
public static class HelperProgram
{
    /// <param name="environment">Variables to set in the program's environment; a null value removes the variable.</param>
    public static string Run(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                if (value is null) info.Environment.Remove(name);
                else info.Environment[name] = value;
            }
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
