using Waybill.Core.Jobs;

namespace Waybill.Cli;

/// <summary>Finds a job folder from what the user typed: a path, a job id under --out, or nothing (the latest job).</summary>
public static class JobLocator
{
    public static JobLayout Find(string? job, string outputRoot)
    {
        if (job is null)
        {
            var latest = Directory.Exists(outputRoot)
                ? Directory.GetDirectories(outputRoot).Where(d => File.Exists(Path.Combine(d, "manifest.json")))
                    .OrderBy(d => File.GetLastWriteTimeUtc(Path.Combine(d, "manifest.json"))).LastOrDefault()
                : null;
            return latest is null
                ? throw new CliException($"no job found under '{outputRoot}'", "run a pipeline first ('waybill run waybill.yaml') or give --out")
                : new JobLayout(latest);
        }
        if (JobIds.ReferenceProblem(job) is { } problem)
            throw new CliException(problem, "give a job id as 'waybill status' lists it, or the path of a job folder");
        if (Directory.Exists(job) && (File.Exists(Path.Combine(job, "manifest.json")) || Directory.Exists(Path.Combine(job, "logs")))) return new JobLayout(job);
        var underOut = Path.Combine(outputRoot, job);
        if (Directory.Exists(underOut)) return new JobLayout(underOut);
        throw new CliException($"job '{job}' not found (looked for folder '{job}' and '{underOut}')", "give a job folder or a job id; 'waybill status' lists the latest job");
    }
}

/// <summary>A user error with a hint; printed without a stack trace.</summary>
public sealed class CliException(string message, string? hint = null, int exitCode = ExitCodes.InvalidInput) : Exception(message)
{
    public string? Hint { get; } = hint;
    public int ExitCode { get; } = exitCode;
}
