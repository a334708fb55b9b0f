using System.Text.Json;
using static Waybill.Core.Manifests.Reading.JsonFields;
using static Waybill.Core.Manifests.Reading.ManifestRecordReaders;

namespace Waybill.Core.Manifests.Reading;

/// <summary>
/// Reads a stage manifest as the writer writes it, field by field with one <see cref="Utf8JsonReader"/>, into the record
/// the generated reader would make of it. A no-op rerun of 100,000 fan-out items reads 100,000 manifests, and the
/// generated reader's metadata (a lookup, a delegate and a frame of state per field and object) was a third of that run's
/// CPU. Anything this reader does not expect (a field it does not know, one given twice, a value of another kind, a
/// missing required field, malformed JSON) returns null, and the caller reads the file through the generated reader,
/// which reads it or refuses it in its own words: so every manifest is read, or refused, as before
/// (<c>ManifestReaderTests</c> checks both on random and on broken manifests).
/// </summary>
internal static class StageManifestReader
{
    public static readonly FieldNames Fields = new(["schema_version", "stage", "stage_id", "stage_number", "job_id", "run_id", "item",
        "attempt", "timestamp", "started_utc", "finished_utc", "duration_seconds", "status", "status_reason", "kind", "command", "exit_code",
        "host", "waybill_version", "tool_versions", "inputs", "absent_inputs", "outputs", "intermediate_files", "config", "resources", "cost",
        "errors", "warnings", "summary", "fingerprint", "tries", "reasons", "produced_by", "reused_from", "log"],
        "stage", "stage_id", "job_id", "run_id", "kind", "host", "waybill_version");

    private const int ConfigField = 24;

    /// <summary>The manifest in <paramref name="json"/>, or null where the generated reader must read it.</summary>
    /// <param name="withoutConfig">Leave <c>config</c> unread (an empty object), as <see cref="ManifestReadContract.LeaveConfig"/> does.</param>
    public static StageManifest? TryRead(ReadOnlySpan<byte> json, bool withoutConfig) =>
        Whole<StageManifest>(json, withoutConfig ? WithoutConfig : WithConfig);

    private static StageManifest WithConfig(ref Utf8JsonReader reader) => Record(ref reader, Fields, New(), Field);

    private static StageManifest WithoutConfig(ref Utf8JsonReader reader) =>
        Record(ref reader, Fields, New(), static (ref Utf8JsonReader r, StageManifest m, int field) =>
        {
            if (field != ConfigField)
            {
                Field(ref r, m, field);
                return;
            }
            // Left unread: the manifest's config stays the empty object it is made with when first asked for.
            StartObject(ref r);
            r.Skip();
        });

    private static StageManifest New() =>
        new() { Stage = null!, StageId = null!, JobId = null!, RunId = null!, Kind = null!, Host = null!, WaybillVersion = null! };

    private static void Field(ref Utf8JsonReader reader, StageManifest m, int field)
    {
        switch (field)
        {
            case 0: m.SchemaVersion = Repeated(ref reader); break;
            case 1: m.Stage = Repeated(ref reader); break;
            case 2: m.StageId = StringValue(ref reader); break;
            case 3: m.StageNumber = Int(ref reader); break;
            case 4: m.JobId = Repeated(ref reader); break;
            case 5: m.RunId = Repeated(ref reader); break;
            case 6: m.Item = Item(ref reader); break;
            case 7: m.Attempt = Int(ref reader); break;
            case 8: m.Timestamp = Time(ref reader); break;
            case 9: m.StartedUtc = Time(ref reader); break;
            case 10: m.FinishedUtc = TimeOrNull(ref reader); break;
            case 11: m.DurationSeconds = Double(ref reader); break;
            case 12: m.Status = Repeated(ref reader); break;
            case 13: m.StatusReason = RepeatedOrNull(ref reader); break;
            case 14: m.Kind = Repeated(ref reader); break;
            case 15: m.Command = RepeatedOrNull(ref reader); break;
            case 16: m.ExitCode = IntOrNull(ref reader); break;
            case 17: m.Host = Repeated(ref reader); break;
            case 18: m.WaybillVersion = Repeated(ref reader); break;
            case 19: m.ToolVersions = Map(ref reader, StringValue); break;
            case 20: m.Inputs = List(ref reader, File); break;
            case 21: m.AbsentInputs = ListOrNull(ref reader, Absent); break;
            case 22: m.Outputs = List(ref reader, File); break;
            case 23: m.IntermediateFiles = List(ref reader, File); break;
            case ConfigField: m.Config = ConfigObject(ref reader); break;
            case 25: m.Resources = ResourceUsageReader.Usage(ref reader); break;
            case 26: m.Cost = Cost(ref reader); break;
            case 27: m.Errors = List(ref reader, Problem); break;
            case 28: m.Warnings = List(ref reader, Problem); break;
            case 29: m.Summary = reader.TokenType == JsonTokenType.Null ? null : ConfigObject(ref reader); break;
            case 30: m.Fingerprint = Fingerprint(ref reader); break;
            case 31: m.Tries = ListOrNull(ref reader, Try); break;
            case 32: m.Reasons = ListOrNull(ref reader, StringValue); break;
            case 33: m.ProducedBy = ProducedBy(ref reader); break;
            case 34: m.ReusedFrom = Reused(ref reader); break;
            default: m.Log = FileOrNull(ref reader); break;
        }
    }
}
