using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>
/// A job's pipeline as read back from its snapshot, secrets filled in; <paramref name="Overrides"/> are the <c>--set</c>
/// items applied (secret ones included, for the run to record by name again) and <paramref name="Secrets"/> the values
/// the run must mask besides those its config and environment already mark secret.
/// </summary>
public sealed record LoadedSnapshot(PipelineDefinition Pipeline, IReadOnlyList<string> Overrides, IReadOnlyList<string> Secrets);
