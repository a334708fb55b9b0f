using Microsoft.Extensions.Logging;
using Waybill.Core.Caching;
using Waybill.Core.Manifests;
using Waybill.Core.Secrets;

namespace Waybill.Core.Execution;

/// <summary>The run's status from its outcomes, and the pipeline log's last line that says it.</summary>
internal static class RunSummary
{
    /// <summary>The job's status: failed when a stage that is not optional failed, else cancelled when one was, else success.</summary>
    public static StageStatus StatusOf(IEnumerable<StageOutcome> outcomes, OptionalFailures optionals)
    {
        var cancelled = false;
        foreach (var o in outcomes)
        {
            if (o.Status == StageStatus.Failed && !optionals.IsForgiven(o.StageId)) return StageStatus.Failed;
            cancelled |= o.Status == StageStatus.Cancelled;
        }
        return cancelled ? StageStatus.Cancelled : StageStatus.Success;
    }

    /// <summary>Logs the line that says <paramref name="status"/> (<see cref="StatusOf"/>) with the count of each outcome.</summary>
    public static void Log(ILogger log, string pipeline, StageStatus status, IReadOnlyCollection<StageOutcome> outcomes,
        OptionalFailures optionals, Redactor redactor, TimeSpan elapsed)
    {
        // One pass over the outcomes: a run of 100,000 stages counts them once, not once per status.
        int succeeded = 0, failed = 0, skipped = 0, upToDate = 0, cancelled = 0;
        foreach (var o in outcomes)
        {
            switch (o.Status)
            {
                case StageStatus.Success: succeeded++; break;
                case StageStatus.Failed: failed++; break;
                case StageStatus.Skipped:
                    skipped++;
                    if (o.Reason == StageDecision.UpToDate) upToDate++;
                    break;
                case StageStatus.Cancelled: cancelled++; break;
            }
        }
        var optionalFailed = optionals.Count > 0 ? $" ({optionals.Count} optional)" : "";
        var summary = $"{succeeded} succeeded, {failed} failed{optionalFailed}, {skipped} skipped"
            + $"{(upToDate > 0 ? $" ({upToDate} up to date)" : "")}, {cancelled} cancelled";
        // The last line names every optional stage that failed: a success with a failure in it is never silent.
        var forgivenText = optionals.Summary(redactor);
        var seconds = elapsed.TotalSeconds;
        if (status == StageStatus.Success && forgivenText is not null)
            log.LogWarning("Pipeline {Pipeline}: {Status} ({Summary}) in {Seconds:0.0}s; {Forgiven}", pipeline, "SUCCESS", summary, seconds, forgivenText);
        else if (status == StageStatus.Success) log.LogInformation("Pipeline {Pipeline}: {Status} ({Summary}) in {Seconds:0.0}s", pipeline, "SUCCESS", summary, seconds);
        else log.LogError("Pipeline {Pipeline}: {Status} ({Summary}) in {Seconds:0.0}s{Forgiven}", pipeline, status.ToText().ToUpperInvariant(), summary, seconds,
            forgivenText is null ? "" : "; " + forgivenText);
    }
}
