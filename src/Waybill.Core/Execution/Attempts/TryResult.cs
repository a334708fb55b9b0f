using Waybill.Core.Manifests;

namespace Waybill.Core.Execution.Attempts;

/// <summary>How one try of a stage ended, with the context (and so the manifest) it recorded into.</summary>
internal sealed record TryResult(StageContext Context, StageStatus Status, string? Reason)
{
    /// <summary>
    /// The failure, not yet in the manifest's errors: a try that is retried says it once, in its retry line, rather than
    /// as an ERROR in the pipeline log of a stage that may yet succeed.
    /// </summary>
    public string? Error { get; init; }
    public Exception? Exception { get; init; }

    /// <summary>False when it failed before the stage's own work began (an input missing, an output refused): a retry would fail alike.</summary>
    public bool WorkStarted { get; init; }
    /// <summary>Its <c>timeout</c> stopped it.</summary>
    public bool TimedOut { get; init; }
    /// <summary>Its code ignored the timeout and was left running (see <see cref="StageTimeLimit"/>).</summary>
    public bool Abandoned { get; init; }
    /// <summary>The outputs this try moved aside, if it moved any.</summary>
    public OutputsAside? Aside { get; init; }
}
