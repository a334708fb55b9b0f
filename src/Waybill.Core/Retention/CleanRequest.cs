namespace Waybill.Core.Retention;

public enum CleanScope
{
    /// <summary>Retained intermediate files (<c>retained: true</c>): caches and raw tool output kept after their stage.</summary>
    Intermediates,
    /// <summary>A stage's outputs; a later run makes them again.</summary>
    Outputs,
}

/// <param name="Stage">Stage id (<c>03_cut</c>) or name (<c>cut</c>); null means every stage (intermediates only).</param>
/// <param name="Reason">Recorded as each tombstone's <c>deleted_reason</c> and in <c>logs/clean.log</c>.</param>
public sealed record CleanRequest(CleanScope Scope, string? Stage, bool DryRun, string Reason);
