using System.Buffers;
using System.Text.Json;
using Waybill.Core.Manifests;

namespace Waybill.Core.Jobs;

/// <summary>
/// <c>.waybill/journal.jsonl</c>: the job manifest's stage entries as they change during a run, one whole JSON line per
/// stage outcome, each written with one write call, so a stage's bookkeeping costs the same in a job of ten stages or of
/// 100,000 (manifest.json is rewritten whole only now and then: see docs/job-folder.md). Lines name the run that wrote
/// them; a reader replays those of manifest.json's own run over it, so a run killed at any point is read back exactly
/// as far as its last whole line. Replaying a line twice changes nothing, which makes compaction crash-safe: manifest.json
/// is written first, the journal emptied after.
/// </summary>
public sealed class JobJournalFile : IDisposable
{
    /// <summary>The version of the line format, in each line's <c>v</c>.</summary>
    public const int Version = 1;

    private readonly FileStream _stream;
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _json = new(Stream.Null);
    private long _length;
    // A failed write whose part could not be cut off: the next line starts on a line of its own.
    private bool _torn;

    private JobJournalFile(FileStream stream) => _stream = stream;

    /// <summary>An empty journal for a new run (lines of an earlier run were compacted or are of no run manifest.json names).</summary>
    public static JobJournalFile Start(JobLayout layout) =>
        // No buffer: each line goes to the file in the one write call Append makes.
        new(new FileStream(layout.JournalPath, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0));

    /// <summary>Appends the stage's entry as it is now; a failed write leaves no part of the line behind.</summary>
    /// <exception cref="IOException">The line could not be written (a full disk, say); the journal is as it was.</exception>
    public void Append(string runId, JobStageSummary stage)
    {
        _buffer.ResetWrittenCount();
        if (_torn)
        {
            _buffer.GetSpan(1)[0] = (byte)'\n';
            _buffer.Advance(1);
        }
        // One writer for every line: a line is written per stage run, 100,000 in a large fan-out.
        _json.Reset(_buffer);
        WriteLine(_json, runId, stage);
        _json.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        try
        {
            _stream.Write(_buffer.WrittenSpan);
            _length += _buffer.WrittenCount;
            _torn = false;
        }
        catch (IOException)
        {
            TryCut(_length);
            throw;
        }
    }

    /// <summary>Empties the journal once manifest.json holds everything in it.</summary>
    public void Clear()
    {
        _stream.SetLength(0);
        _stream.Position = 0;
        _length = 0;
    }

    public void Dispose()
    {
        _json.Dispose();
        _stream.Dispose();
    }

    /// <summary>Deletes the journal of a job whose manifest.json was just written whole by another command than a run.</summary>
    public static void Delete(JobLayout layout)
    {
        if (File.Exists(layout.JournalPath)) File.Delete(layout.JournalPath);
    }

    /// <summary>How many times <see cref="ReadJob(JobLayout)"/> reads again when manifest.json was replaced under it.</summary>
    internal const int ReadAttempts = 8;

    /// <summary>The job manifest as its run left it: manifest.json with the journal replayed over it.</summary>
    /// <exception cref="ManifestFormatException">manifest.json is not a job manifest this version reads.</exception>
    public static JobManifest ReadJob(JobLayout layout) => ReadJob(layout, betweenReads: null);

    /// <summary>
    /// Reads without a lock beside a live run, whose compaction writes manifest.json whole and then empties the journal:
    /// an old manifest.json with the emptied journal would lose every stage outcome since the last compaction (stages
    /// seen going backwards). manifest.json is replaced by a rename, so the file the path names before and after the
    /// journal is read (inode, ctime) tells whether a compaction came between; then both are read again, a bounded
    /// number of times (a compaction is seconds apart from the next), the last read standing.
    /// </summary>
    /// <param name="betweenReads">Called after manifest.json is read and before the journal is: tests put a compaction there.</param>
    internal static JobManifest ReadJob(JobLayout layout, Action? betweenReads)
    {
        for (var attempt = 1; ; attempt++)
        {
            var before = Identity(layout);
            var job = ManifestJson.ReadJob(layout.JobManifestPath);
            betweenReads?.Invoke();
            Replay(layout, job);
            if (attempt >= ReadAttempts || Identity(layout) == before) return job;
        }
    }

    private static (ulong Device, ulong Inode, long CtimeNs)? Identity(JobLayout layout) =>
        Hashing.FileStamp.TryRead(layout.JobManifestPath, out var stamp) == Hashing.FileStampStatus.RegularFile
            ? (stamp.Device, stamp.Inode, stamp.CtimeNs)
            : null;

    /// <summary>
    /// 512 MiB. A line is about 0.5 KB per stage run, and the journal holds one run's lines since manifest.json was last
    /// written whole: 200,000 stage runs (the item limit, WAYBILL_MAX_ITEMS) make about 100 MB, so this leaves five times
    /// that for longer lines (many outputs, long reasons) and retries, and still refuses a link to /dev/zero at once.
    /// </summary>
    internal const int MaxBytes = 512 << 20;

    /// <summary>
    /// Applies the journal's lines of <paramref name="job"/>'s run to its stage entries, in order. Lines of another run,
    /// a last line cut short by a crash, and lines this version cannot read are passed over. Returns how many were applied.
    /// </summary>
    /// <exception cref="IO.FileLimitException">The journal is larger than <see cref="MaxBytes"/>.</exception>
    public static int Replay(JobLayout layout, JobManifest job)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(layout.JournalPath)) return 0;
            bytes = IO.BoundedFileRead.ReadAllBytes(layout.JournalPath, MaxBytes, "job journal",
                "move it out of the job folder and run the pipeline again: stages that finished are found up to date by their own manifests");
        }
        // A journal too large to be one is not passed over: the stage outcomes manifest.json lacks would be lost unsaid.
        catch (Exception e) when (e is (IOException and not IO.FileLimitException) or UnauthorizedAccessException)
        {
            return 0;
        }
        if (bytes.Length == 0) return 0;
        var stages = new Dictionary<string, JobStageSummary>(job.Stages.Count, StringComparer.Ordinal);
        foreach (var stage in job.Stages) stages.TryAdd(stage.StageId, stage);
        var applied = 0;
        var rest = bytes.AsSpan();
        // Only whole lines: one without its newline is a write a crash cut short.
        for (var end = rest.IndexOf((byte)'\n'); end >= 0; rest = rest[(end + 1)..], end = rest.IndexOf((byte)'\n'))
            if (Apply(rest[..end], job, stages)) applied++;
        return applied;
    }

    private static void WriteLine(Utf8JsonWriter json, string runId, JobStageSummary stage)
    {
        json.WriteStartObject();
        json.WriteNumber("v", Version);
        json.WriteString("run_id", runId);
        json.WriteString("stage_id", stage.StageId);
        json.WriteString("stage", stage.Stage);
        json.WriteNumber("stage_number", stage.StageNumber);
        json.WriteString("status", stage.Status);
        if (stage.StatusReason is { } reason) json.WriteString("status_reason", reason);
        json.WriteNumber("duration_seconds", stage.DurationSeconds);
        json.WriteStartArray("outputs");
        foreach (var output in stage.Outputs) json.WriteStringValue(output);
        json.WriteEndArray();
        json.WriteNumber("warning_count", stage.WarningCount);
        json.WriteNumber("error_count", stage.ErrorCount);
        if (stage.Manifest is { } manifest) json.WriteString("manifest", manifest);
        if (stage.ManifestChecksum is { } checksum) json.WriteString("manifest_checksum", checksum);
        if (stage.CheckedByRun is { } checkedBy) json.WriteString("checked_by_run", checkedBy);
        json.WriteEndObject();
    }

    private static bool Apply(ReadOnlySpan<byte> line, JobManifest job, Dictionary<string, JobStageSummary> stages)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException)
        {
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var v) || !v.TryGetInt32(out var version) || version != Version
                || Text(root, "run_id") != job.RunId || Text(root, "stage_id") is not { } id || Text(root, "status") is not { } status)
                return false;
            if (!stages.TryGetValue(id, out var stage))
            {
                // A stage run the plan gained while the run went on (an item of a fan-out): it joins the manifest here.
                stage = new JobStageSummary { StageId = id, Stage = Text(root, "stage") ?? id };
                stages[id] = stage;
                job.Stages.Add(stage);
            }
            stage.Status = status;
            stage.StatusReason = Text(root, "status_reason");
            if (root.TryGetProperty("stage_number", out var number) && number.TryGetInt32(out var n)) stage.StageNumber = n;
            stage.DurationSeconds = root.TryGetProperty("duration_seconds", out var d) && d.TryGetDouble(out var seconds) ? seconds : 0;
            stage.Outputs = root.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array
                ? [.. outputs.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!)]
                : [];
            stage.WarningCount = Count(root, "warning_count");
            stage.ErrorCount = Count(root, "error_count");
            stage.Manifest = Text(root, "manifest") ?? stage.Manifest;
            stage.ManifestChecksum = Text(root, "manifest_checksum");
            stage.CheckedByRun = Text(root, "checked_by_run");
            return true;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int Count(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.TryGetInt32(out var count) ? count : 0;

    private void TryCut(long length)
    {
        try
        {
            _stream.SetLength(length);
            _stream.Position = length;
        }
        catch (IOException)
        {
            // The part stays; readers pass over it as a line they cannot read.
            _torn = true;
        }
    }
}
