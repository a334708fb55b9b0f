using System.Security.Cryptography;

namespace Waybill.Core.Jobs;

public static class JobIds
{
    /// <summary>Sortable and unique enough for one machine: <c>20251127-140915-a3f2</c>.</summary>
    public static string New(TimeProvider time) =>
        time.GetLocalNow().ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));

    public static string NewRunId() => Guid.CreateVersion7().ToString();

    /// <summary>A job id becomes a folder name: keep it to one safe path segment.</summary>
    public static string? Problem(string jobId)
    {
        if (string.IsNullOrWhiteSpace(jobId)) return "a job id must not be empty";
        if (ReferenceProblem(jobId) is { } problem) return problem;
        if (jobId is "." or ".." || jobId.IndexOfAny(['/', '\\']) >= 0)
            return $"job id '{jobId}' must be a single folder name (no '/', '\\', '.' or '..')";
        return null;
    }

    /// <summary>
    /// What no job id nor job folder named on a command line may hold: control characters (a newline forges log lines and
    /// breaks every line-based tool) or a leading '-' (read as an option by waybill and by the tools a job id is passed to).
    /// </summary>
    public static string? ReferenceProblem(string job)
    {
        if (job.Any(char.IsControl))
            return $"job id '{Text.PrintableText.Of(job)}' holds a control character (a newline, tab, escape or NUL); "
                + "job ids are plain names such as 20251127-140915-a3f2";
        if (job.StartsWith('-')) return $"job id '{job}' starts with '-', which reads as an option; start it with a letter or digit";
        return null;
    }
}
