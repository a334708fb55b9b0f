using System.Collections.Concurrent;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>
/// Whether an upstream output may be read: only when its producer's last record claims it (the producer succeeded, is
/// up to date, or ended skipped with the file among its outputs). A producer that failed, was cancelled or skipped
/// leaves its outputs absent for its consumers, even where a file is still there: a failed attempt puts the previous
/// outputs back (nothing is lost), and those must not reach downstream as if this run had made them.
/// The run hands over the records of the stages it finished (no file read); any other producer's manifest is read once.
/// </summary>
internal sealed class ProducerRecords(PipelineDefinition pipeline, JobLayout layout)
{
    private readonly ConcurrentDictionary<string, StageManifest?> _records = new(StringComparer.Ordinal);

    /// <summary>The record of a stage that finished in this run; its consumers decide and start after this.</summary>
    public void Finished(string stageId, StageManifest manifest) => _records[stageId] = manifest;

    /// <summary>Why the file behind an upstream input is absent, or null when it may be read (or no record says otherwise).</summary>
    public string? Absence(InputDeclaration input)
    {
        // Through the pipeline's index, which a dynamic fan-out grows with its items while the run goes on.
        if (input.FromStage is null || pipeline.Find(input.FromStage) is not { } producer) return null;
        var record = _records.GetOrAdd(producer.Id, id => ManifestJson.TryReadStage(layout.StageManifestPath(id), out var m) ? m : null);
        return record is null ? null : Absence(record, () => layout.RelativeToJob(StageContext.ResolveInput(pipeline, layout, input)));
    }

    /// <summary>Null when <paramref name="producer"/> claims the output at <paramref name="path"/> (relative to the job).</summary>
    public static string? Absence(StageManifest producer, Func<string?> path) => producer.Status switch
    {
        "success" => null,
        // Up to date: as the run that produced it ended. A stage skipped then (disabled, say) produced nothing to read.
        "skipped" when producer.ProducedBy is { Status: not "success" } by && !producer.Outputs.Any(o => o.Path == path()) =>
            $"{producer.StageId} was skipped ({by.StatusReason})",
        "skipped" when producer.ProducedBy is not null || producer.Outputs.Any(o => o.Path == path()) => null,
        "skipped" => $"{producer.StageId} was skipped ({producer.StatusReason})",
        "failed" => $"{producer.StageId} failed ({producer.StatusReason})",
        "cancelled" => $"{producer.StageId} was cancelled",
        _ => $"{producer.StageId} did not finish ({producer.Status})",
    };
}
