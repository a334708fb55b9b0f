using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// What the run keeps of a finished stage until it ends: what the summary table, <c>--explain</c>, the job manifest's
/// lineage and the callers of <see cref="PipelineRunner"/> read. The journal and the observers have had the whole
/// manifest by then; its config, fingerprint, tool versions, resources and log seal are on disk, so a run of 100,000
/// stage runs does not hold 100,000 of them.
/// </summary>
internal static class KeptOutcome
{
    /// <summary>
    /// Runs of up to this many stage runs keep whole manifests, which hosts read from <see cref="RunResult"/> (a whole
    /// manifest is ~4 KB in memory: 20 MB here); larger runs keep the slim ones, so 100,000 stay well under 1 GB.
    /// </summary>
    public const int WholeUpTo = 5_000;

    /// <summary>Whether a run of <paramref name="stageRuns"/> stage runs keeps the slim manifests of <see cref="Of"/>.</summary>
    public static bool Slim(int stageRuns) => stageRuns > WholeUpTo;

    public static StageOutcome Of(StageOutcome outcome)
    {
        var m = outcome.Manifest;
        var kept = new StageManifest
        {
            Stage = m.Stage, StageId = m.StageId, StageNumber = m.StageNumber, JobId = m.JobId, RunId = m.RunId, Item = m.Item,
            Attempt = m.Attempt, Timestamp = m.Timestamp, StartedUtc = m.StartedUtc, FinishedUtc = m.FinishedUtc,
            DurationSeconds = m.DurationSeconds, Status = m.Status, StatusReason = m.StatusReason, Kind = m.Kind, ExitCode = m.ExitCode,
            Host = m.Host, WaybillVersion = m.WaybillVersion, Errors = m.Errors, Warnings = m.Warnings, Summary = m.Summary,
            Tries = m.Tries, Reasons = m.Reasons, ProducedBy = m.ProducedBy, ReusedFrom = m.ReusedFrom, AbsentInputs = m.AbsentInputs,
            // Lineage joins inputs that name their producer to the outputs they read; other inputs are not needed.
            Inputs = m.Inputs.Count == 0 || m.Inputs.TrueForAll(i => i.FromStage is not null) ? m.Inputs : m.Inputs.FindAll(i => i.FromStage is not null),
            Outputs = m.Outputs,
        };
        return outcome with { Manifest = kept };
    }
}
