using System.Diagnostics;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;

namespace Waybill.Telemetry;

/// <summary>A stage run's span attributes, from its manifest: what ran, how it ended and why, what it used and cost.</summary>
internal static class StageSpanTags
{
    public static void Add(Activity span, StageInvocation invocation, StageOutcome outcome, Core.Secrets.Redactor? redactor)
    {
        var manifest = outcome.Manifest;
        var reason = outcome.Reason is { } said && redactor is not null ? redactor.Redact(said) : outcome.Reason;
        span.SetTag("waybill.job_id", invocation.Layout.JobId);
        span.SetTag("waybill.run_id", invocation.RunId);
        span.SetTag("waybill.stage_id", outcome.StageId);
        span.SetTag("waybill.stage", invocation.Stage.Name);
        if (invocation.Stage.Item is { } item) span.SetTag("waybill.item_key", item.Key);
        span.SetTag("waybill.status", outcome.Status.ToText());
        if (reason is not null) span.SetTag("waybill.status_reason", reason);
        if (manifest.Reasons is { Count: > 0 } reasons) span.SetTag("waybill.reasons", reasons.ToArray());
        span.SetTag("waybill.attempt", manifest.Attempt);
        if (manifest.ExitCode is { } exit) span.SetTag("waybill.exit_code", exit);
        var resources = manifest.Resources;
        if (resources.MeasuredBy is not null)
        {
            // A figure an in-process stage shares with the engine is not the stage's: it is named as shared, not sent as its own.
            var shared = resources.Shared ?? [];
            span.SetTag("waybill.resources.wall_seconds", resources.WallSeconds);
            if (!shared.Contains("cpu"))
            {
                span.SetTag("waybill.resources.cpu_seconds", resources.CpuSeconds);
                span.SetTag("waybill.resources.cpu_percent", resources.CpuPercent);
            }
            if (!shared.Contains("peak_rss")) span.SetTag("waybill.resources.peak_rss_mb", resources.PeakRssMb);
            if (shared.Count > 0) span.SetTag("waybill.resources.shared", shared.ToArray());
            if (resources.CodeCpuSeconds is { } code) span.SetTag("waybill.resources.code_cpu_seconds", code);
        }
        if (manifest.Cost is { } cost)
        {
            span.SetTag("waybill.cost.total", cost.Total);
            span.SetTag("waybill.cost.currency", cost.Currency);
            foreach (var line in cost.Lines) span.SetTag("waybill.cost." + line.Unit, line.Amount);
        }
        if (outcome.Status == StageStatus.Failed) span.SetStatus(ActivityStatusCode.Error, reason);
        else if (outcome.Status == StageStatus.Success) span.SetStatus(ActivityStatusCode.Ok);
    }
}
