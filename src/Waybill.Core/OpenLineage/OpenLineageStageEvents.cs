using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Secrets;
using Waybill.Core.Text;

namespace Waybill.Core.OpenLineage;

/// <summary>
/// A stage's RunEvents (its START and its end), written straight to UTF-8 lines in one reused buffer: the same
/// JSON that <see cref="OpenLineageEvent"/> writes from facet trees, without the trees. The facets every stage event
/// shares (parent, jobType) are serialized once per run. A no-op rerun writes two events for every stage: built as
/// trees they were a quarter of its time (perf, 20,000 items); see docs/performance.md, "Many stage runs".
/// Not thread-safe: the observer is called one thing at a time.
/// </summary>
internal sealed class OpenLineageStageEvents : IDisposable
{
    private static readonly JsonWriterOptions OneLine = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly JsonSerializerOptions NodeOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ArrayBufferWriter<byte> _buffer = new(8192);
    private readonly Utf8JsonWriter _json;
    private readonly OpenLineageFacets _facets;
    private readonly Redactor _redactor;
    private readonly string _producer;
    private readonly string _namespace;
    private readonly byte[] _parent;
    private readonly byte[] _stageJobType;
    private string? _host;
    private string _fileNamespace = "";

    public OpenLineageStageEvents(OpenLineageFacets facets, Redactor redactor, string jobNamespace, JsonObject parent)
    {
        (_facets, _redactor) = (facets, redactor);
        _json = new Utf8JsonWriter(_buffer, OneLine);
        _producer = redactor.Redact(facets.Producer);
        _namespace = redactor.Redact(jobNamespace);
        _parent = Fragment(parent);
        _stageJobType = Fragment(facets.JobType("STAGE"));
    }

    /// <summary>The lines written since <see cref="Clear"/>, each ending in a newline.</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void Clear() => _buffer.ResetWrittenCount();

    public void Dispose() => _json.Dispose();

    /// <summary>A START: why the stage runs is known, what its manifest will say is not.</summary>
    public void Start(in StageEventParts parts, string jobId, string runId, string stageId, string stageName, DateTimeOffset at,
        IReadOnlyList<string>? reasons)
    {
        Begin(OpenLineageEvent.Start, at, parts.RunId);
        WriteStageFacet(parts, jobId, runId, stageId, stageName, "running", reasons);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteEndObject();
        WriteJob(parts, command: null);
        _json.WriteStartArray("inputs");
        _json.WriteEndArray();
        _json.WriteStartArray("outputs");
        _json.WriteEndArray();
        End();
    }

    /// <summary>The end event, typed by the stage's status, from its manifest (whose texts are already masked).</summary>
    /// <param name="filesIn">
    /// The job folder of the stage's tracked files, which are the event's datasets, when it ran in this run; null when it did
    /// not (no datasets).
    /// </param>
    public void Finish(in StageEventParts parts, string eventType, DateTimeOffset at, StageManifest manifest, JsonObject? errorMessage,
        JobLayout? filesIn)
    {
        Begin(eventType, at, parts.RunId);
        WriteStageFacet(parts, manifest.JobId, manifest.RunId, manifest.StageId, manifest.Stage, manifest.Status, manifest.Reasons);
        _json.WriteNumber("attempt", manifest.Attempt);
        if (manifest.StatusReason is { } reason) _json.WriteString("status_reason", Facet(reason));
        _json.WriteNumber("duration_seconds", manifest.DurationSeconds);
        if (manifest.ExitCode is { } exitCode) _json.WriteNumber("exit_code", exitCode);
        var usage = manifest.Resources;
        _json.WriteStartObject("resources");
        _json.WriteNumber("wall_seconds", usage.WallSeconds);
        _json.WriteNumber("cpu_seconds", usage.CpuSeconds);
        _json.WriteNumber("cpu_percent", usage.CpuPercent);
        _json.WriteNumber("peak_rss_mb", usage.PeakRssMb);
        if (usage.Shared is { Count: > 0 } shared)
        {
            // A figure shared with other stages goes out marked so, as in the manifest.
            _json.WriteStartArray("shared");
            foreach (var figure in shared) _json.WriteStringValue(figure);
            _json.WriteEndArray();
        }
        _json.WriteEndObject();
        _json.WriteEndObject();
        if (errorMessage is not null)
        {
            _json.WritePropertyName("errorMessage");
            Redacted(errorMessage).WriteTo(_json, NodeOptions);
        }
        _json.WriteEndObject();
        _json.WriteEndObject();
        WriteJob(parts, manifest.Command);
        WriteDatasets("inputs", manifest.Inputs, filesIn, manifest.Host);
        WriteDatasets("outputs", manifest.Outputs, filesIn, manifest.Host);
        End();
    }

    // Up to the open run facets, after "parent".
    private void Begin(string eventType, DateTimeOffset at, Guid runId)
    {
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString("eventType", eventType);
        Span<byte> time = stackalloc byte[UtcMillisecondTime.Length];
        _json.WriteString("eventTime", time[..UtcMillisecondTime.Write(at, time)]);
        _json.WriteString("producer", _producer);
        _json.WriteString("schemaURL", OpenLineageEvent.SchemaUrl);
        _json.WriteStartObject("run");
        Span<char> id = stackalloc char[36];
        runId.TryFormat(id, out _, "D");
        _json.WriteString("runId", id);
        _json.WriteStartObject("facets");
        _json.WritePropertyName("parent");
        _json.WriteRawValue(_parent, skipInputValidation: true);
    }

    // The waybill_stage facet up to "reasons", left open for the end event's fields.
    private void WriteStageFacet(in StageEventParts parts, string jobId, string runId, string stageId, string stageName, string status,
        IReadOnlyList<string>? reasons)
    {
        _json.WriteStartObject("waybill_stage");
        WriteBase(OpenLineageFacets.WaybillStageSchema);
        _json.WriteString("job_id", Facet(jobId));
        _json.WriteString("run_id", Facet(runId));
        _json.WriteString("stage_id", Facet(stageId));
        _json.WriteString("stage", Facet(stageName));
        _json.WriteString("status", Facet(status));
        _json.WriteString("manifest", Facet(parts.ManifestPath));
        _json.WriteString("log", Facet(parts.LogPath));
        if (reasons is not { Count: > 0 }) return;
        _json.WriteStartArray("reasons");
        foreach (var reason in reasons) _json.WriteStringValue(Facet(reason));
        _json.WriteEndArray();
    }

    private void WriteJob(in StageEventParts parts, string? command)
    {
        _json.WriteStartObject("job");
        _json.WriteString("namespace", _namespace);
        _json.WriteString("name", _redactor.Redact(parts.JobName));
        _json.WriteStartObject("facets");
        _json.WritePropertyName("jobType");
        _json.WriteRawValue(_stageJobType, skipInputValidation: true);
        if (parts.Description is { Length: > 0 } description)
        {
            _json.WriteStartObject("documentation");
            WriteBase(OpenLineageFacets.DocumentationSchema);
            _json.WriteString("description", Facet(description));
            _json.WriteEndObject();
        }
        if (command is { Length: > 0 })
        {
            _json.WriteStartObject("sourceCode");
            WriteBase(OpenLineageFacets.SourceCodeSchema);
            _json.WriteString("language", Facet("shell"));
            _json.WriteString("sourceCode", Facet(command));
            _json.WriteEndObject();
        }
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private void WriteBase(string schemaUrl)
    {
        _json.WriteString("_producer", Facet(_facets.Producer));
        _json.WriteString("_schemaURL", Facet(schemaUrl));
    }

    // Written as they are read: built as facet trees first, the datasets took 8 µs a stage on the run's loop (perf, 500 stages).
    private void WriteDatasets(string property, IReadOnlyList<FileRecord> files, JobLayout? layout, string host)
    {
        _json.WriteStartArray(property);
        if (layout is null)
        {
            _json.WriteEndArray();
            return;
        }
        var fileNamespace = FileNamespace(host);
        foreach (var file in files)
        {
            if (file.DeletedAt is not null) continue; // a file `waybill clean` deleted is no longer there to read
            _json.WriteStartObject();
            _json.WriteString("namespace", Facet(fileNamespace));
            _json.WriteString("name", Facet(layout.Resolve(file.Path)));
            _json.WriteStartObject("facets");
            _json.WriteStartObject("waybill_file");
            WriteBase(OpenLineageFacets.WaybillFileSchema);
            _json.WriteString("path", Facet(file.Path));
            _json.WriteString("location", Facet(file.Location));
            if (file.Name is { } name) _json.WriteString("name", Facet(name));
            _json.WriteString("type", Facet(file.Type));
            if (file.Format is { } format) _json.WriteString("format", Facet(format));
            if (file.SizeBytes is { } size) _json.WriteNumber("size_bytes", size);
            if (file.Checksum is { } checksum) _json.WriteString("checksum", Facet(checksum));
            if (file.FromStage is { } fromStage) _json.WriteString("from_stage", Facet(fromStage));
            if (file.FromOutput is { } fromOutput) _json.WriteString("from_output", Facet(fromOutput));
            _json.WriteEndObject();
            _json.WriteEndObject();
            _json.WriteEndObject();
        }
        _json.WriteEndArray();
    }

    // A dataset's namespace is file://<host>, its name the file's absolute path. Every stage of a run names the same host:
    // the namespace is made once.
    private string FileNamespace(string host)
    {
        if (!ReferenceEquals(host, _host)) (_host, _fileNamespace) = (host, "file://" + host.ToLowerInvariant());
        return _fileNamespace;
    }

    private void End()
    {
        _json.WriteEndObject();
        _json.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
    }

    // Facet texts are masked only in a run that has secrets to hide, as the facet trees are (OpenLineageEvent).
    private string Facet(string text) => _redactor.HasSecrets ? _redactor.Redact(text) : text;

    private JsonNode Redacted(JsonNode node) => _redactor.HasSecrets ? OpenLineageEvent.Redacted(node, _redactor) : node;

    private byte[] Fragment(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, OneLine)) Redacted(node).WriteTo(writer, NodeOptions);
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>What a stage's START and end events share: its OpenLineage run id and job name, its record's paths, its description.</summary>
internal readonly record struct StageEventParts(Guid RunId, string JobName, string ManifestPath, string LogPath, string? Description);
