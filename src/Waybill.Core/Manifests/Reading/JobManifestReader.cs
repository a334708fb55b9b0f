using System.Text.Json;
using static Waybill.Core.Manifests.Reading.JsonFields;
using static Waybill.Core.Manifests.Reading.ManifestRecordReaders;

namespace Waybill.Core.Manifests.Reading;

/// <summary>
/// Reads a job manifest as <see cref="StageManifestReader"/> reads a stage manifest: field by field, null where the generated
/// reader must read it. A rerun of 100,000 fan-out items reads one line per stage run of it as it starts.
/// </summary>
internal static class JobManifestReader
{
    public static readonly FieldNames Fields = new(["schema_version", "job_id", "run_id", "pipeline", "pipeline_file", "status",
        "started_utc", "finished_utc", "duration_seconds", "host", "waybill_version", "pipeline_log", "stages", "cost", "warnings", "lineage",
        "logs", "job_files"], "job_id", "run_id", "pipeline", "host", "waybill_version");

    public static readonly FieldNames StageFields = new(["stage_id", "stage", "stage_number", "status", "status_reason", "duration_seconds",
        "depends_on", "outputs", "warning_count", "error_count", "optional", "manifest", "manifest_checksum", "checked_by_run"],
        "stage_id", "stage");

    public static readonly FieldNames EdgeFields = new(["from_stage", "from_output", "to_stage", "to_input", "path", "checksum"],
        "from_stage", "from_output", "to_stage", "to_input", "path");

    public static readonly FieldNames WarningFields = new(["stage_id", "message", "skipped"], "stage_id", "message");
    public static readonly FieldNames SealedFields = new(["path", "size_bytes", "checksum"], "path", "checksum");

    /// <summary>The job manifest in <paramref name="json"/>, or null where the generated reader must read it.</summary>
    public static JobManifest? TryRead(ReadOnlySpan<byte> json) => Whole(json, Manifest);

    private static JobManifest Manifest(ref Utf8JsonReader reader) =>
        Record(ref reader, Fields, new JobManifest { JobId = null!, RunId = null!, Pipeline = null!, Host = null!, WaybillVersion = null! }, Field);

    private static void Field(ref Utf8JsonReader reader, JobManifest job, int field)
    {
        switch (field)
        {
            case 0: job.SchemaVersion = Repeated(ref reader); break;
            case 1: job.JobId = Repeated(ref reader); break;
            case 2: job.RunId = Repeated(ref reader); break;
            case 3: job.Pipeline = StringValue(ref reader); break;
            case 4: job.PipelineFile = StringOrNull(ref reader); break;
            case 5: job.Status = Repeated(ref reader); break;
            case 6: job.StartedUtc = Time(ref reader); break;
            case 7: job.FinishedUtc = TimeOrNull(ref reader); break;
            case 8: job.DurationSeconds = Double(ref reader); break;
            case 9: job.Host = Repeated(ref reader); break;
            case 10: job.WaybillVersion = Repeated(ref reader); break;
            case 11: job.PipelineLog = StringOrNull(ref reader); break;
            case 12: job.Stages = List(ref reader, Stage); break;
            case 13: job.Cost = Cost(ref reader); break;
            case 14: job.Warnings = ListOrNull(ref reader, Warning); break;
            case 15: job.Lineage = List(ref reader, Edge); break;
            case 16: job.Logs = List(ref reader, File); break;
            default: job.JobFiles = List(ref reader, Sealed); break;
        }
    }

    private static JobStageSummary Stage(ref Utf8JsonReader reader) =>
        Record(ref reader, StageFields, new JobStageSummary { StageId = null!, Stage = null! }, StageField);

    private static void StageField(ref Utf8JsonReader reader, JobStageSummary stage, int field)
    {
        switch (field)
        {
            case 0: stage.StageId = StringValue(ref reader); break;
            case 1: stage.Stage = Repeated(ref reader); break;
            case 2: stage.StageNumber = Int(ref reader); break;
            case 3: stage.Status = Repeated(ref reader); break;
            case 4: stage.StatusReason = RepeatedOrNull(ref reader); break;
            case 5: stage.DurationSeconds = Double(ref reader); break;
            // The stages a fan-out's items depend on are the same few names in every line.
            case 6: stage.DependsOn = List(ref reader, Repeated); break;
            case 7: stage.Outputs = List(ref reader, StringValue); break;
            case 8: stage.WarningCount = Int(ref reader); break;
            case 9: stage.ErrorCount = Int(ref reader); break;
            case 10: stage.Optional = BoolOrNull(ref reader); break;
            case 11: stage.Manifest = StringOrNull(ref reader); break;
            case 12: stage.ManifestChecksum = StringOrNull(ref reader); break;
            default: stage.CheckedByRun = RepeatedOrNull(ref reader); break;
        }
    }

    private static LineageEdge Edge(ref Utf8JsonReader reader) =>
        Record(ref reader, EdgeFields, new LineageEdge { FromStage = null!, FromOutput = null!, ToStage = null!, ToInput = null!, Path = null! },
            static (ref Utf8JsonReader r, LineageEdge edge, int field) =>
            {
                switch (field)
                {
                    case 0: edge.FromStage = StringValue(ref r); break;
                    case 1: edge.FromOutput = StringValue(ref r); break;
                    case 2: edge.ToStage = StringValue(ref r); break;
                    case 3: edge.ToInput = StringValue(ref r); break;
                    case 4: edge.Path = StringValue(ref r); break;
                    default: edge.Checksum = StringOrNull(ref r); break;
                }
            });

    private static JobWarning Warning(ref Utf8JsonReader reader) =>
        Record(ref reader, WarningFields, new JobWarning { StageId = null!, Message = null! }, static (ref Utf8JsonReader r, JobWarning warning, int field) =>
        {
            switch (field)
            {
                case 0: warning.StageId = StringValue(ref r); break;
                case 1: warning.Message = StringValue(ref r); break;
                default: warning.Skipped = ListOrNull(ref r, StringValue); break;
            }
        });

    private static SealedFile Sealed(ref Utf8JsonReader reader) =>
        Record(ref reader, SealedFields, new SealedFile { Path = null!, Checksum = null! }, static (ref Utf8JsonReader r, SealedFile file, int field) =>
        {
            switch (field)
            {
                case 0: file.Path = StringValue(ref r); break;
                case 1: file.SizeBytes = Long(ref r); break;
                default: file.Checksum = StringValue(ref r); break;
            }
        });
}
