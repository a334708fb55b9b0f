using System.Text.RegularExpressions;
using Waybill.Core.IO;
using Waybill.Core.Pipeline.Controls;

namespace Waybill.Core.Execution.Attempts;

/// <summary>
/// Whether a failed try is tried again: while retries are left, unless it failed before its work began, was abandoned,
/// or met a full disk; with <c>exit_codes</c> or <c>errors</c>, only a failure that matches one of them.
/// </summary>
internal static class RetryRule
{
    private static readonly TimeSpan MatchLimit = TimeSpan.FromSeconds(1);

    /// <summary>Null when failed try <paramref name="number"/> is tried again; otherwise why not, in words.</summary>
    public static string? WhyNot(RetryPolicy policy, TryResult failed, int number)
    {
        if (number > policy.Count) return "no retries left";
        if (failed.Abandoned) return "its code did not stop when its time was up and may still be running";
        if (!failed.WorkStarted) return "it failed before its work started, and would fail the same way again";
        var problems = Problems(failed);
        if (problems.Any(FileSystemErrors.IsDiskFullText)) return "the disk is full";
        if (policy.ExitCodes.Count == 0 && policy.ErrorPatterns.Count == 0) return null;
        // A timed-out command was killed: its exit code says so, not what the command would have answered.
        var exitCode = failed.TimedOut ? null : failed.Context.Manifest.ExitCode;
        if (exitCode is { } code && policy.ExitCodes.Contains(code)) return null;
        if (policy.ErrorPatterns.Any(pattern => problems.Any(text => Matches(pattern, text)))) return null;
        var why = new List<string>();
        if (policy.ExitCodes.Count > 0)
            why.Add(exitCode is { } c ? $"exit code {c} is not in retries.exit_codes ({string.Join(", ", policy.ExitCodes)})"
                : $"it has no exit code to match retries.exit_codes ({string.Join(", ", policy.ExitCodes)})");
        if (policy.ErrorPatterns.Count > 0) why.Add("its errors match none of retries.errors");
        return string.Join(", and ", why);
    }

    /// <summary>The reason and every error the try recorded, as the manifest has them (secrets masked).</summary>
    private static List<string> Problems(TryResult failed)
    {
        var manifest = failed.Context.Manifest;
        var texts = new List<string>();
        foreach (var text in new[] { failed.Reason, failed.Error, failed.Exception?.Message })
            if (text is not null) texts.Add(failed.Context.RedactText(text));
        foreach (var error in manifest.Errors)
        {
            texts.Add(error.Message);
            if (error.ExceptionMessage is { } message) texts.Add(message);
        }
        return texts;
    }

    private static bool Matches(string pattern, string text)
    {
        try
        {
            return Regex.IsMatch(text, pattern, RegexOptions.None, MatchLimit);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
