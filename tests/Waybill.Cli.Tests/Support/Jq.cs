using System.Diagnostics;

namespace Waybill.Cli.Tests.Support;

/// <summary>The real jq, as the seeds' checks use it.</summary>
public static class Jq
{
    public static string Run(string filter, string file, string workingDirectory)
    {
        var info = new ProcessStartInfo("jq") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-r");
        info.ArgumentList.Add(filter);
        info.ArgumentList.Add(file);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"jq {filter} {file} failed: {error}");
        return output.Trim();
    }
}
