using System.Text.Json;
using static Waybill.Core.Manifests.Reading.JsonFields;

namespace Waybill.Core.Manifests.Reading;

/// <summary>The records a manifest holds, each read as <see cref="StageManifestReader"/> reads the manifest itself.</summary>
internal static class ManifestRecordReaders
{
    public static readonly FieldNames FileFields = new(["name", "type", "path", "location", "format", "size_bytes", "mtime", "checksum",
        "from_stage", "from_output", "retained", "reason", "deleted_at", "deleted_reason", "run_parts"], "type", "path");
    public static readonly FieldNames SegmentFields = new(["offset", "size_bytes", "checksum", "run_id"], "checksum");
    public static readonly FieldNames ItemFields = new(["key", "value", "path"], "key", "value");
    public static readonly FieldNames ProblemFields = new(["timestamp", "message", "exception_type", "exception_message", "stack_trace"],
        "timestamp", "message");
    public static readonly FieldNames FingerprintFields = new(["value", "definition", "code_version", "config", "tool_commands"],
        "value", "definition");
    public static readonly FieldNames ProducedByFields = new(["run_id", "attempt", "finished_utc", "status", "status_reason",
        "duration_seconds", "cpu_seconds"], "run_id", "status");
    public static readonly FieldNames TryFields = new(["try", "status", "exit_code", "error", "started_utc", "duration_seconds",
        "wait_before_seconds"], "status");
    public static readonly FieldNames AbsentFields = new(["name", "from_stage", "from_output", "reason"], "name", "reason");
    public static readonly FieldNames ReusedFields = new(["job", "stage", "run", "reason", "fingerprint", "method"], "job", "stage", "run", "reason");
    public static readonly FieldNames CostFields = new(["currency", "total", "lines"]);
    public static readonly FieldNames CostLineFields = new(["unit", "quantity", "rate", "amount", "source"], "unit");

    public static FileRecord File(ref Utf8JsonReader reader) =>
        Record(ref reader, FileFields, new FileRecord { Type = null!, Path = null! }, FileField, static (file, metadata) => file.Metadata = metadata);

    public static FileRecord? FileOrNull(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : File(ref reader);

    private static void FileField(ref Utf8JsonReader reader, FileRecord file, int field)
    {
        switch (field)
        {
            case 0: file.Name = StringOrNull(ref reader); break;
            case 1: file.Type = Repeated(ref reader); break;
            case 2: file.Path = StringValue(ref reader); break;
            case 3: file.Location = Repeated(ref reader); break;
            case 4: file.Format = RepeatedOrNull(ref reader); break;
            case 5: file.SizeBytes = LongOrNull(ref reader); break;
            case 6: file.Mtime = TimeOrNull(ref reader); break;
            case 7: file.Checksum = StringOrNull(ref reader); break;
            case 8: file.FromStage = StringOrNull(ref reader); break;
            case 9: file.FromOutput = StringOrNull(ref reader); break;
            case 10: file.Retained = BoolOrNull(ref reader); break;
            case 11: file.Reason = StringOrNull(ref reader); break;
            case 12: file.DeletedAt = TimeOrNull(ref reader); break;
            case 13: file.DeletedReason = StringOrNull(ref reader); break;
            default: file.Segments = ListOrNull(ref reader, Segment); break;
        }
    }

    private static LogSegment Segment(ref Utf8JsonReader reader) =>
        Record(ref reader, SegmentFields, new LogSegment { Checksum = null! }, static (ref Utf8JsonReader r, LogSegment segment, int field) =>
        {
            switch (field)
            {
                case 0: segment.Offset = Long(ref r); break;
                case 1: segment.SizeBytes = Long(ref r); break;
                case 2: segment.Checksum = StringValue(ref r); break;
                default: segment.RunId = RepeatedOrNull(ref r); break;
            }
        });

    public static ItemRecord? Item(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null :
        Record(ref reader, ItemFields, new ItemRecord { Key = null!, Value = null! }, static (ref Utf8JsonReader r, ItemRecord item, int field) =>
        {
            switch (field)
            {
                case 0: item.Key = StringValue(ref r); break;
                case 1: item.Value = StringValue(ref r); break;
                default: item.Path = StringOrNull(ref r); break;
            }
        });

    public static ProblemRecord Problem(ref Utf8JsonReader reader) =>
        Record(ref reader, ProblemFields, new ProblemRecord { Timestamp = default, Message = null! },
            static (ref Utf8JsonReader r, ProblemRecord problem, int field) =>
            {
                switch (field)
                {
                    case 0: problem.Timestamp = Time(ref r); break;
                    case 1: problem.Message = StringValue(ref r); break;
                    case 2: problem.ExceptionType = StringOrNull(ref r); break;
                    case 3: problem.ExceptionMessage = StringOrNull(ref r); break;
                    default: problem.StackTrace = StringOrNull(ref r); break;
                }
            });

    public static StageFingerprint? Fingerprint(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null :
        Record(ref reader, FingerprintFields, new StageFingerprint { Value = null!, Definition = null! },
            static (ref Utf8JsonReader r, StageFingerprint fingerprint, int field) =>
            {
                switch (field)
                {
                    case 0: fingerprint.Value = StringValue(ref r); break;
                    case 1: fingerprint.Definition = StringValue(ref r); break;
                    case 2: fingerprint.CodeVersion = StringOrNull(ref r); break;
                    case 3: fingerprint.Config = ConfigObject(ref r); break;
                    default: fingerprint.ToolCommands = Map(ref r, StringValue); break;
                }
            });

    /// <summary>A config object, read by the generated reader's own converter so that it is the same tree.</summary>
    public static System.Text.Json.Nodes.JsonObject ConfigObject(ref Utf8JsonReader reader)
    {
        StartObject(ref reader);
        return JsonSerializer.Deserialize(ref reader, ManifestJsonContext.Default.JsonObject) ?? throw new NotReadHere();
    }

    public static ProducedBy? ProducedBy(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null :
        Record(ref reader, ProducedByFields, new ProducedBy { RunId = null!, Status = null! },
            static (ref Utf8JsonReader r, ProducedBy producer, int field) =>
            {
                switch (field)
                {
                    case 0: producer.RunId = Repeated(ref r); break;
                    case 1: producer.Attempt = Int(ref r); break;
                    case 2: producer.FinishedUtc = TimeOrNull(ref r); break;
                    case 3: producer.Status = Repeated(ref r); break;
                    case 4: producer.StatusReason = RepeatedOrNull(ref r); break;
                    case 5: producer.DurationSeconds = Double(ref r); break;
                    default: producer.CpuSeconds = Double(ref r); break;
                }
            });

    public static StageTry Try(ref Utf8JsonReader reader) =>
        Record(ref reader, TryFields, new StageTry { Status = null! }, static (ref Utf8JsonReader r, StageTry attempt, int field) =>
        {
            switch (field)
            {
                case 0: attempt.Try = Int(ref r); break;
                case 1: attempt.Status = Repeated(ref r); break;
                case 2: attempt.ExitCode = IntOrNull(ref r); break;
                case 3: attempt.Error = StringOrNull(ref r); break;
                case 4: attempt.StartedUtc = Time(ref r); break;
                case 5: attempt.DurationSeconds = Double(ref r); break;
                default: attempt.WaitBeforeSeconds = DoubleOrNull(ref r); break;
            }
        });

    public static AbsentInput Absent(ref Utf8JsonReader reader) =>
        Record(ref reader, AbsentFields, new AbsentInput { Name = null!, Reason = null! }, static (ref Utf8JsonReader r, AbsentInput absent, int field) =>
        {
            switch (field)
            {
                case 0: absent.Name = StringValue(ref r); break;
                case 1: absent.FromStage = StringOrNull(ref r); break;
                case 2: absent.FromOutput = StringOrNull(ref r); break;
                default: absent.Reason = StringValue(ref r); break;
            }
        });

    public static ReusedFrom? Reused(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null :
        Record(ref reader, ReusedFields, new ReusedFrom { Job = null!, Stage = null!, Run = null!, Reason = null! },
            static (ref Utf8JsonReader r, ReusedFrom reused, int field) =>
            {
                switch (field)
                {
                    case 0: reused.Job = StringValue(ref r); break;
                    case 1: reused.Stage = Repeated(ref r); break;
                    case 2: reused.Run = StringValue(ref r); break;
                    case 3: reused.Reason = StringValue(ref r); break;
                    case 4: reused.Fingerprint = StringOrNull(ref r); break;
                    default: reused.Method = StringOrNull(ref r); break;
                }
            });

    public static StageCost? Cost(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null :
        Record(ref reader, CostFields, new StageCost(), static (ref Utf8JsonReader r, StageCost cost, int field) =>
        {
            switch (field)
            {
                case 0: cost.Currency = StringValue(ref r); break;
                case 1: cost.Total = Double(ref r); break;
                default: cost.Lines = List(ref r, CostLine); break;
            }
        });

    private static CostLine CostLine(ref Utf8JsonReader reader) =>
        Record(ref reader, CostLineFields, new CostLine { Unit = null! }, static (ref Utf8JsonReader r, CostLine line, int field) =>
        {
            switch (field)
            {
                case 0: line.Unit = StringValue(ref r); break;
                case 1: line.Quantity = Double(ref r); break;
                case 2: line.Rate = Double(ref r); break;
                case 3: line.Amount = Double(ref r); break;
                default: line.Source = StringOrNull(ref r); break;
            }
        });
}
