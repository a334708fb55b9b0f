using Microsoft.Extensions.Logging;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>The pipeline log's stage markers, as the seeds write them: ▶ start, ✓ success, ❌ failure, ⏭ skip, ⏹ cancel.</summary>
internal static class StageTransitions
{
    public static void Started(ILogger log, StageInvocation invocation) =>
        log.LogInformation("▶ Stage {Position}/{Total}: {Stage}", invocation.Position, invocation.Total, invocation.Stage.DisplayName);

    /// <param name="optional">A failure of an optional stage: the job goes on, and the line says so.</param>
    public static void Finished(ILogger log, string stageName, StageOutcome outcome, bool optional = false)
    {
        var seconds = outcome.DurationSeconds;
        switch (outcome.Status)
        {
            case StageStatus.Success when outcome.Manifest.ReusedFrom is not null:
                log.LogInformation("✓ Stage {Stage}: SUCCESS (restored from the result cache, {Seconds:0.0}s)", stageName, seconds);
                break;
            case StageStatus.Success:
                log.LogInformation("✓ Stage {Stage}: SUCCESS ({Seconds:0.0}s)", stageName, seconds);
                break;
            case StageStatus.Failed:
                if (optional) log.LogError("❌ Stage {Stage}: FAILED (optional, {Seconds:0.0}s): {Reason}", stageName, seconds, OneLine(outcome.Reason));
                else log.LogError("❌ Stage {Stage}: FAILED ({Seconds:0.0}s): {Reason}", stageName, seconds, OneLine(outcome.Reason));
                break;
            case StageStatus.Skipped:
                log.LogInformation("⏭ Stage {Stage}: SKIPPED ({Reason})", stageName, OneLine(outcome.Reason));
                break;
            default:
                log.LogWarning("⏹ Stage {Stage}: CANCELLED ({Seconds:0.0}s)", stageName, seconds);
                break;
        }
    }

    private static string OneLine(string? text) => text is null ? "" : text.ReplaceLineEndings(" ").Trim();
}
