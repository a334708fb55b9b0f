using System.Globalization;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Integrity;

/// <summary>
/// <c>waybill verify</c>: checks that a job folder still holds what its manifests say — manifests intact and valid,
/// every output and retained intermediate present with its recorded size and checksum, inputs consistent with
/// the stages that produced them, logs as sealed, no run left half-recorded. Reads only; never changes the folder.
/// </summary>
public static class JobVerifier
{
    private const string RerunHint = "run the pipeline again with the same --job-id to regenerate it, or 'waybill clean' to record a deliberate deletion";

    public static VerifyReport Verify(JobLayout layout, VerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new VerifyOptions();
        var sink = new FindingSink();
        var hasher = new SharedHasher();
        // Parse on this thread; schema checks and the reading of file contents are queued and done two at a time below.
        var work = new List<Action<SharedHasher>>();
        var job = ManifestCheck.ReadJob(layout.JobManifestPath, "manifest.json", sink, work);
        if (job is null) return sink.ToReport(layout.Root, []);
        // Stage outcomes a killed (or live) run recorded after manifest.json was last written whole; none after it ended.
        JournalCheck.Replay(layout, job, sink);

        var manifests = new Dictionary<string, StageManifest>(StringComparer.Ordinal);
        var logsLinkedOut = LinkedFolderCheck.LogsLinkedOut(layout, sink);
        var stateLinkedOut = LinkedFolderCheck.StateLinkedOut(layout, sink);
        for (var i = 0; i < job.Stages.Count; i++)
        {
            // Behind a link out of the job lies no record of this job: reported, never read as if it were one.
            if (LinkedFolderCheck.StageLinkedOut(layout, job.Stages[i].StageId, sink)) continue;
            if (ReadStage(layout, job.Stages[i], i, sink, work) is { } manifest) manifests[manifest.StageId] = manifest;
        }
        RunStateCheck.Check(layout, job, manifests, sink);
        // While a run holds the job it rewrites these files; RunStateCheck has said so.
        if (!stateLinkedOut && !RunLock.IsHeld(layout, out _)) JobFileCheck.Check(layout, job, sink);
        if (!logsLinkedOut) work.Add(_ => EventsCheck.Check(layout, sink));
        foreach (var manifest in manifests.Values)
        {
            QueueFiles(layout, manifest, manifests, sink, work, options.Fast);
            if (manifest.Log is { } seal) work.Add(h => LogSealCheck.Check(layout, manifest.StageId, "log", seal, h, sink));
            else if (File.Exists(layout.StageLogPath(manifest.StageId)))
                NotSealed(sink, manifest.StageId, JobLayout.StageFolder(manifest.StageId) + "/stage.log", "log", "the manifest records no seal for stage.log");
        }
        for (var i = 0; i < (logsLinkedOut ? 0 : job.Logs.Count); i++)
        {
            var (seal, field) = (job.Logs[i], $"logs[{i}]");
            work.Add(h => LogSealCheck.Check(layout, null, field, seal, h, sink));
        }
        if (!logsLinkedOut && job.Logs.Count == 0 && job.Status != "running" && layout.LatestPipelineLog() is not null)
            NotSealed(sink, null, "manifest.json", "logs", "the job manifest records no seal for the run logs");

        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellationToken }, check => check(hasher));
        return sink.ToReport(layout.Root, [.. job.Stages.Select(s => s.StageId)]);
    }

    private static StageManifest? ReadStage(JobLayout layout, JobStageSummary summary, int index, FindingSink sink, List<Action<SharedHasher>> work)
    {
        var relative = summary.Manifest ?? JobLayout.StageManifestRelative(summary.StageId);
        var path = layout.Resolve(relative);
        if (!File.Exists(path))
        {
            // A run stopped before reaching a stage leaves it "pending" with no manifest: nothing claimed, nothing to check.
            // One still "running" has none yet on its first attempt; whether that run is alive is RunStateCheck's question.
            if (summary.Status == "pending")
                sink.Add(new Finding(FindingSeverity.Info, "not_run", $"{summary.StageId} never ran: no manifest") { Stage = summary.StageId, Path = relative });
            else if (summary.Status != "running")
                sink.Add(new Finding(FindingSeverity.Error, "missing_manifest", $"{relative} is missing, but the job manifest says {summary.StageId} ended '{summary.Status}'")
                {
                    Stage = summary.StageId,
                    Path = relative,
                    Hint = $"run the pipeline again with --job-id {layout.JobId} to run {summary.StageId} again",
                });
            return null;
        }
        if (summary.ManifestChecksum is { } sealedChecksum)
            work.Add(_ => CheckManifestSeal(path, relative, summary.StageId, index, sealedChecksum, sink));
        else
            NotSealed(sink, summary.StageId, relative, $"stages[{index}].manifest_checksum", "the job manifest records no checksum for it");
        var manifest = ManifestCheck.ReadStage(path, relative, summary.StageId, sink, work);
        if (manifest is not null && manifest.StageId != summary.StageId)
        {
            sink.Add(new Finding(FindingSeverity.Error, "manifest_mismatch", $"{relative} describes stage {manifest.StageId}, not {summary.StageId}")
            {
                Stage = summary.StageId,
                Path = relative,
                Field = "stage_id",
                Expected = summary.StageId,
                Actual = manifest.StageId,
            });
            return null;
        }
        return manifest;
    }

    private static void CheckManifestSeal(string path, string relative, string stageId, int index, string sealedChecksum, FindingSink sink)
    {
        // Hashed from a bounded read: a manifest replaced by a link to /dev/zero never ends (too large: reported when parsed).
        HashOutcome hash;
        try
        {
            if (!IO.BoundedFileRead.TryReadAllBytes(path, ManifestLimits.MaxBytes, out var bytes)) return;
            hash = new HashOutcome(Hashing.ContentHash.Of(RecordedChecksum.AlgorithmOf(sealedChecksum), bytes), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // unreadable: reported when parsed
        }
        if (!hash.Succeeded || string.Equals(hash.Checksum, sealedChecksum, StringComparison.OrdinalIgnoreCase)) return; // unreadable: reported when parsed
        sink.Add(new Finding(FindingSeverity.Error, "manifest_changed", $"{relative} was changed after the run wrote it: its checksum is {hash.Checksum}, the job manifest recorded {sealedChecksum}")
        {
            Stage = stageId,
            Path = relative,
            Field = $"stages[{index}].manifest_checksum",
            Expected = sealedChecksum,
            Actual = hash.Checksum,
            Hint = $"a manifest edited by hand no longer describes the run: run {stageId} again to rewrite it",
        });
    }

    private static void QueueFiles(JobLayout layout, StageManifest manifest, IReadOnlyDictionary<string, StageManifest> manifests, FindingSink sink, List<Action<SharedHasher>> work, bool fast)
    {
        var stage = manifest.StageId;
        // What a finished stage claims is binding; a failed or cancelled one's leftovers are only worth a warning.
        var binding = manifest.Status == "success" || (manifest.Status == "skipped" && manifest.ProducedBy is not null);
        var severity = binding ? FindingSeverity.Error : FindingSeverity.Warning;
        for (var i = 0; i < manifest.Outputs.Count; i++)
            Queue(manifest.Outputs[i], $"outputs[{i}]", "output");
        for (var i = 0; i < manifest.IntermediateFiles.Count; i++)
        {
            if (manifest.IntermediateFiles[i].Retained == true) Queue(manifest.IntermediateFiles[i], $"intermediate_files[{i}]", "retained intermediate");
        }
        for (var i = 0; i < manifest.Inputs.Count; i++)
        {
            var input = manifest.Inputs[i];
            if (input.FromStage is not null && input.Location == "job")
            {
                LineageCheck.Check(manifest, i, input, manifests, sink);
                continue;
            }
            var expectation = new FileExpectation(stage, $"inputs[{i}]", input, $"{(input.Location == "job" ? "input" : "external input")} {input.Path}", FindingSeverity.Warning)
            {
                Consequence = $"{stage} read it before it changed, so the job is sound but out of date",
                Hint = $"run the pipeline again with --job-id {layout.JobId} to bring the job up to date",
            };
            if (input.Checksum is not null || input.SizeBytes is not null) work.Add(h => TrackedFileCheck.Check(layout, expectation, h, sink, fast));
        }

        void Queue(FileRecord record, string field, string role)
        {
            if (record.DeletedAt is { } deleted)
            {
                sink.Add(new Finding(FindingSeverity.Info, "deleted", $"{role} {record.Path} deleted by clean at {deleted.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} ({record.DeletedReason ?? "no reason given"}); hash was {record.Checksum ?? "not recorded"}")
                {
                    Stage = stage,
                    Path = record.Path,
                    Field = field + ".deleted_at",
                    Expected = record.Checksum,
                    Hint = "a later run regenerates it",
                });
                return;
            }
            // A failed stage's declared output that never appeared was recorded without size or checksum: nothing was claimed.
            if (!binding && record.Checksum is null && record.SizeBytes is null) return;
            var external = record.Location != "job";
            var expectation = new FileExpectation(stage, field, record, $"{role} {record.Path}", external ? FindingSeverity.Warning : severity)
            {
                Consequence = external ? "it lies outside the job folder, where the job does not own it" : null,
                Hint = RerunHint,
            };
            work.Add(h => TrackedFileCheck.Check(layout, expectation, h, sink, fast));
        }
    }

    private static void NotSealed(FindingSink sink, string? stage, string path, string field, string why) =>
        sink.Add(new Finding(FindingSeverity.Info, "not_sealed", $"{path} not checked: {why} (written by an older Waybill)") { Stage = stage, Path = path, Field = field });
}
