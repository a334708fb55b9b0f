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
        if (jobId is "." or ".." || jobId.IndexOfAny(['/', '\\', '\0']) >= 0) return $"job id '{jobId}' must be a single folder name (no '/', '\\', '.' or '..')";
        return null;
    }
}
