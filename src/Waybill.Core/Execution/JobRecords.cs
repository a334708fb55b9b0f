using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Hashing;
using Waybill.Core.IO;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Secrets;

namespace Waybill.Core.Execution;

/// <summary>The job-level files the orchestrator owns: metadata.json, the job manifest and the pipeline snapshot.</summary>
internal static class JobRecords
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// 1 MiB, as the report reads it: metadata.json is about 1 KB, a long command line or many --set items a few more.
    /// </summary>
    internal const int MetadataMaxBytes = Reports.ReportLimits.MetadataBytes;

    public static void WriteMetadata(JobLayout layout, Pipeline.PipelineDefinition pipeline, string runId, TimeProvider time, RunOptions options, Redactor redactor)
    {
        var created = time.GetUtcNow();
        // A damaged metadata.json (too large to be one included) is rewritten whole below.
        if (TryReadObject(layout.MetadataPath, MetadataMaxBytes)?["created_utc"] is JsonValue first && first.TryGetValue(out DateTimeOffset earlier))
            created = earlier;
        var metadata = new JsonObject
        {
            ["job_id"] = layout.JobId,
            ["pipeline"] = pipeline.Name,
            ["pipeline_file"] = pipeline.SourcePath,
            ["created_utc"] = created,
            ["last_run_id"] = runId,
            ["last_run_started_utc"] = time.GetUtcNow(),
            ["host"] = Environment.MachineName,
            ["user"] = Environment.UserName,
            ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            ["dotnet"] = Environment.Version.ToString(),
            ["waybill_version"] = RunServices.Version,
            ["working_directory"] = Environment.CurrentDirectory,
            ["command_line"] = new JsonArray([.. options.CommandLine.Select(a => (JsonNode?)JsonValue.Create(RedactArgument(a, redactor)))]),
            ["overrides"] = new JsonArray([.. options.Overrides.Select(a => (JsonNode?)JsonValue.Create(RedactOverride(a, redactor)))]),
            ["max_parallel"] = options.MaxParallel,
            ["resources"] = RunResourcesJson(options.Resources ?? Resources.RunResources.Machine),
            ["keep_going"] = options.KeepGoing,
            ["checksum"] = pipeline.Checksum.Prefix(),
        };
        AtomicFile.WriteAllText(layout.MetadataPath, metadata.ToJsonString(Indented));
    }

    /// <summary>
    /// 16 MiB: run.json holds the source path, the --set items and the names of secrets, a few kilobytes even for a run
    /// given hundreds of --set items.
    /// </summary>
    internal const int RunInfoMaxBytes = 16 << 20;

    /// <summary>
    /// Duplicate keys are refused as the file is parsed: a JsonObject would otherwise throw on its first lookup, far
    /// from any handler.
    /// </summary>
    internal static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>A job-level JSON file Waybill wrote, as an object; null when it is missing, too large, not JSON or not an object.</summary>
    internal static JsonObject? TryReadObject(string path, int maxBytes)
    {
        try
        {
            return BoundedFileRead.TryReadAllBytes(path, maxBytes, out var bytes)
                ? JsonNode.Parse(BoundedFileRead.Json(bytes), documentOptions: StrictJson) as JsonObject
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The checksum run.json records of the snapshot: pipeline.yaml's bytes and run.json's own other fields (the --set
    /// items and secrets resume runs with), so a snapshot no seal covers yet (a run killed before its job manifest) is
    /// still one whole, unedited record.
    /// </summary>
    internal static string SnapshotChecksum(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> pipelineYaml, JsonObject runWithoutChecksum)
    {
        var fields = System.Text.Encoding.UTF8.GetBytes(runWithoutChecksum.ToJsonString(Indented));
        return ContentHash.Of(algorithm, [.. pipelineYaml, .. fields]);
    }

    /// <summary>What the run's stages could use at once (<c>--cores</c>, <c>--memory</c>, <c>--gpus</c> or the machine's).</summary>
    private static JsonObject RunResourcesJson(Resources.RunResources resources) => new()
    {
        ["cores"] = resources.Cores,
        ["memory_bytes"] = resources.MemoryBytes,
        ["gpus"] = resources.Gpus,
        ["gpu_devices"] = new JsonArray([.. resources.GpuDevices.Select(d => (JsonNode?)JsonValue.Create(d))]),
    };

    /// <summary>
    /// The pipeline file as run, so <c>resume</c> and <c>exec-stage</c> can run it later, in another process or on another
    /// node. Secrets are masked in a way the loader recognises (<see cref="SnapshotMasker"/>), and run.json records, by
    /// name only, every secret the run was given, for those commands to ask for again.
    /// </summary>
    /// <remarks>
    /// Once the text is ready, run.json goes first and comes back last, naming the run and the checksum of the
    /// pipeline.yaml written with it: a pipeline.yaml without it was cut short by a kill, and a snapshot of another run
    /// than the job manifest's was written by a run killed before its job manifest (<see cref="InterruptedRun"/>).
    /// </remarks>
    public static void WriteSnapshot(JobLayout layout, Pipeline.PipelineDefinition pipeline, string runId, IReadOnlyList<string> overrides,
        Redactor redactor)
    {
        var text = pipeline.SourceText ?? (pipeline.SourcePath is { } path && File.Exists(path)
            ? Pipeline.Limits.BoundedText.Read(path, Pipeline.Limits.PipelineLimits.FromEnvironment(), CancellationToken.None)
            : null);
        var snapshot = text is null ? null : SnapshotMasker.Mask(text, pipeline.SecretConfig, pipeline.SecretEnv, redactor);
        var yamlPath = layout.SnapshotPath;
        File.Delete(layout.SnapshotRunPath);
        if (snapshot is null)
        {
            // A pipeline built in code has no file to snapshot, and an earlier run's would describe what this one did not run.
            // (Masking cannot fail for a file the loader accepted; a snapshot that might hold a secret is not written at all.)
            File.Delete(yamlPath);
            return;
        }
        var secrets = snapshot.Slots
            .Select(s => new RecordedSecret(s.Kind == SecretSlotKind.Text ? s.Name + " (line " + s.Node.Start.Line + ")" : s.Name, s.Kind,
                SecretOrigin.PipelineFile))
            .Concat(overrides.Where(o => IsSecretOverride(o, redactor))
                .Select(o => new RecordedSecret(OverrideKey(o), SecretSlotKind.Config, SecretOrigin.SetOption)))
            .Concat(pipeline.SecretEnv.Where(n => !pipeline.Env.ContainsKey(n) && Environment.GetEnvironmentVariable(n) is { Length: > 0 })
                .Select(n => new RecordedSecret(n, SecretSlotKind.Env, SecretOrigin.Environment)))
            .Distinct();
        var yaml = System.Text.Encoding.UTF8.GetBytes(snapshot.Text);
        AtomicFile.WriteAllBytes(yamlPath, yaml);
        var run = new JsonObject
        {
            ["job_id"] = layout.JobId,
            ["run_id"] = runId,
            ["source_path"] = pipeline.SourcePath,
            ["base_directory"] = pipeline.BaseDirectory,
            ["overrides"] = new JsonArray([.. overrides.Where(o => !IsSecretOverride(o, redactor)).Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["secrets"] = new JsonArray([.. secrets.Select(s => (JsonNode?)s.ToJson())]),
        };
        run["snapshot_checksum"] = SnapshotChecksum(pipeline.Checksum, yaml, run);
        AtomicFile.WriteAllText(layout.SnapshotRunPath, run.ToJsonString(Indented));
    }

    /// <summary>A <c>--set</c> whose key looks secret or whose value holds a known secret: recorded by its key only.</summary>
    public static bool IsSecretOverride(string item, Redactor redactor) =>
        Redactor.IsSecretName(OverrideKey(item)) || redactor.Redact(item) != item;

    public static string OverrideKey(string item)
    {
        var eq = item.IndexOf('=', StringComparison.Ordinal);
        var key = (eq < 0 ? item : item[..eq]).Trim();
        return key.StartsWith("config.", StringComparison.Ordinal) ? key["config.".Length..] : key;
    }

    private static string RedactOverride(string item, Redactor redactor)
    {
        var eq = item.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && Redactor.IsSecretName(item[..eq]) ? item[..(eq + 1)] + Redactor.Mask : redactor.Redact(item);
    }

    /// <summary>One word of the command line: <c>--set</c> values under secret names are masked whatever their length.</summary>
    private static string RedactArgument(string argument, Redactor redactor)
    {
        if (argument.StartsWith("--set=", StringComparison.Ordinal)) return "--set=" + RedactOverride(argument["--set=".Length..], redactor);
        // A URL's own credentials are found by its structure (an '=' in its query is not a key=value override).
        return argument.Contains("://", StringComparison.Ordinal) ? redactor.Redact(argument) : RedactOverride(argument, redactor);
    }

    public static JobManifest NewJobManifest(JobLayout layout, Pipeline.PipelineDefinition pipeline, ExecutionPlan plan, string runId, TimeProvider time, string host, string pipelineLog) => new()
    {
        JobId = layout.JobId,
        RunId = runId,
        Pipeline = pipeline.Name,
        PipelineFile = pipeline.SourcePath,
        StartedUtc = time.GetUtcNow(),
        Host = host,
        WaybillVersion = RunServices.Version,
        PipelineLog = pipelineLog.Replace(Path.DirectorySeparatorChar, '/'),
        Stages = [.. plan.Order.Select(s => Summary(s, plan.Dependencies[s.Id]))],
    };

    /// <summary>A stage's line in the job manifest, pending; also for the item runs a dynamic fan-out adds mid-run.</summary>
    public static JobStageSummary Summary(Pipeline.StageDefinition stage, List<string> dependsOn) => new()
    {
        StageId = stage.Id,
        Stage = stage.Name,
        StageNumber = stage.Number,
        DependsOn = dependsOn,
        Manifest = JobLayout.StageManifestRelative(stage.Id),
        Optional = stage.Controls.Optional ? true : null,
    };

    public static void Update(JobStageSummary summary, StageOutcome outcome, JobLayout layout, ChecksumAlgorithm algorithm)
    {
        // A manifest behind a stage folder linked out of the job is not this job's: it is not sealed into it.
        var checksum = outcome.ManifestChecksum
            ?? (JobFolderLinks.StageFolderProblem(layout, outcome.StageId) is null
                ? ChecksumOfFile(layout.StageManifestPath(outcome.StageId), algorithm)
                : null);
        // The entry keeps the text it had when the seal is unchanged (every stage of a no-op rerun): a new copy of it, and
        // of its outputs below, is a new object that the job manifest of a long run holds from its older generation.
        if (Update(summary, outcome).ManifestChecksum != checksum) summary.ManifestChecksum = checksum;
    }

    public static JobStageSummary Update(JobManifest job, StageOutcome outcome) => Update(job.Stages.First(s => s.StageId == outcome.StageId), outcome);

    public static JobStageSummary Update(JobStageSummary summary, StageOutcome outcome)
    {
        summary.Status = outcome.Status.ToText();
        summary.StatusReason = outcome.Reason;
        summary.DurationSeconds = outcome.DurationSeconds;
        if (!SamePaths(summary.Outputs, outcome.Manifest.Outputs)) summary.Outputs = [.. outcome.Manifest.Outputs.Select(o => o.Path)];
        summary.WarningCount = outcome.Manifest.Warnings.Count;
        summary.ErrorCount = outcome.Manifest.Errors.Count;
        // The view's run is the run that checked it; the manifest on disk still names the run that produced it.
        summary.CheckedByRun = outcome.LeftUntouched ? outcome.Manifest.RunId : null;
        return summary;
    }

    private static bool SamePaths(List<string> listed, List<FileRecord> outputs)
    {
        if (listed.Count != outputs.Count) return false;
        for (var i = 0; i < listed.Count; i++)
            if (!string.Equals(listed[i], outputs[i].Path, StringComparison.Ordinal)) return false;
        return true;
    }

    public static void Complete(JobManifest job, JobLayout layout, ExecutionPlan plan, IReadOnlyDictionary<string, StageOutcome> outcomes, StageStatus status, TimeProvider time, TimeSpan elapsed)
    {
        job.Status = status.ToText();
        job.FinishedUtc = time.GetUtcNow();
        // A dynamic fan-out's items were appended as they were found: listed beside their stage.
        job.Stages = [.. job.Stages.OrderBy(s => s.StageNumber).ThenBy(s => s.StageId, StringComparer.Ordinal)];
        job.DurationSeconds = Math.Round(elapsed.TotalSeconds, 3);
        // Stages this run left alone (--until) still belong to the job's lineage.
        var manifests = plan.Order.Select(s => outcomes.TryGetValue(s.Id, out var o) ? o.Manifest
            : ManifestJson.TryReadStage(layout.StageManifestPath(s.Id), out var m) ? m : null).OfType<StageManifest>();
        job.Lineage = [.. LineageOf(manifests)];
    }

    /// <summary>The job manifest of the previous run, or null (none, or unreadable: this run rewrites it).</summary>
    /// <exception cref="ManifestVersionException">A newer Waybill wrote the job: it is refused, not overwritten.</exception>
    public static JobManifest? TryReadJob(JobLayout layout)
    {
        try
        {
            return File.Exists(layout.JobManifestPath) ? JobJournalFile.ReadJob(layout) : null;
        }
        catch (ManifestFormatException e) when (e is not ManifestVersionException)
        {
            return null;
        }
    }

    /// <summary>Stages outside the run's selection keep the status their own manifest records.</summary>
    public static void KeepUnselected(JobManifest job, JobLayout layout, Caching.RunSelection selection, JobManifest? previous)
    {
        // By id: a job of 100,000 stage runs is not searched once per stage.
        var before = previous?.Stages.ToDictionary(s => s.StageId, StringComparer.Ordinal);
        foreach (var summary in job.Stages.Where(s => !selection.Includes(s.StageId)))
        {
            var old = before?.GetValueOrDefault(summary.StageId);
            if (ManifestJson.TryReadStage(layout.StageManifestPath(summary.StageId), out var manifest))
            {
                // What a later run decided (up to date, checked_by_run) stands, sealed to the manifest it checked.
                if (old?.CheckedByRun is not null && old.ManifestChecksum is not null)
                {
                    (summary.Status, summary.StatusReason, summary.CheckedByRun) = (old.Status, old.StatusReason, old.CheckedByRun);
                    (summary.Outputs, summary.WarningCount, summary.ErrorCount) = (old.Outputs, old.WarningCount, old.ErrorCount);
                    summary.ManifestChecksum = old.ManifestChecksum;
                    continue;
                }
                summary.Status = manifest!.Status;
                summary.StatusReason = manifest.StatusReason;
                summary.DurationSeconds = manifest.DurationSeconds;
                summary.Outputs = [.. manifest.Outputs.Select(o => o.Path)];
                summary.WarningCount = manifest.Warnings.Count;
                summary.ErrorCount = manifest.Errors.Count;
                summary.ManifestChecksum = old?.ManifestChecksum;
            }
            else summary.StatusReason = "not selected in this run";
        }
        if (previous is null) return;
        // A dynamic fan-out's items are known only once it reads its list: until it does in this run (it may not, with
        // --until or a failed upstream), the items of the last run stay listed, with their folders and records.
        var listed = job.Stages.Select(s => s.StageId).ToHashSet(StringComparer.Ordinal);
        foreach (var old in previous.Stages)
            if (Pipeline.FanOut.ItemKeys.TrySplit(old.StageId, out var template, out _) && listed.Contains(template) && listed.Add(old.StageId))
                job.Stages.Add(old);
    }

    /// <summary>
    /// Seals the run logs in the job manifest (size and checksum, after their last line): this run's pipeline log,
    /// events.jsonl, openlineage.jsonl, and the seals of earlier runs' pipeline logs, carried over. events.jsonl and
    /// openlineage.jsonl, which every run appends to, are sealed by parts: the parts sealed before are carried over, and
    /// only the bytes since the last one are hashed (<see cref="LogSegment"/>). Hashing them whole was a quarter of a no-op
    /// rerun of a job run 20 times (a 1.36 GB openlineage.jsonl).
    /// </summary>
    public static void SealLogs(JobManifest job, JobLayout layout, JobManifest? previous, string pipelineLog, ChecksumAlgorithm algorithm)
    {
        var appended = new[] { layout.EventsPath, Path.Combine(layout.LogsDir, "openlineage.jsonl") }.Select(p => layout.RelativeToJob(p)!).ToList();
        var current = appended.Append(layout.RelativeToJob(pipelineLog)!).ToHashSet(StringComparer.Ordinal);
        var logs = (previous?.Logs ?? []).Where(r => !current.Contains(r.Path) && File.Exists(layout.Resolve(r.Path))).ToList();
        foreach (var relative in current)
        {
            var full = layout.Resolve(relative);
            var info = new FileInfo(full);
            if (!info.Exists) continue;
            var record = new FileRecord
            {
                Type = "log",
                Path = relative,
                Format = relative.EndsWith(".jsonl", StringComparison.Ordinal) ? "jsonl" : "text",
                SizeBytes = info.Length,
                Mtime = new DateTimeOffset(info.LastWriteTimeUtc),
            };
            if (appended.Contains(relative))
                record.Segments = Segments(full, info.Length, previous?.Logs.Find(r => r.Path == relative), job.RunId, algorithm);
            else
                record.Checksum = FileHasher.Compute(full, algorithm);
            logs.Add(record);
        }
        job.Logs = [.. logs.OrderBy(r => r.Path, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The parts sealed before (a seal of the whole file, from before parts, is the first), and one more for the bytes
    /// appended since. A file shorter than what was sealed was cut or replaced: it is sealed again whole, as one part
    /// (<c>waybill verify</c> run before this would have reported it).
    /// </summary>
    private static List<LogSegment> Segments(string full, long length, FileRecord? before, string runId, ChecksumAlgorithm algorithm)
    {
        List<LogSegment> segments = before?.Segments is { } parts ? [.. parts]
            : before is { Checksum: { } whole, SizeBytes: { } size } ? [new LogSegment { Offset = 0, SizeBytes = size, Checksum = whole }]
            : [];
        var sealedEnd = segments.Count == 0 ? 0 : segments[^1].Offset + segments[^1].SizeBytes;
        if (sealedEnd > length)
        {
            segments.Clear();
            sealedEnd = 0;
        }
        if (length > sealedEnd)
        {
            var appended = length - sealedEnd;
            segments.Add(new LogSegment
            {
                Offset = sealedEnd, SizeBytes = appended, Checksum = RangeHasher.Compute(full, algorithm, sealedEnd, appended), RunId = runId,
            });
        }
        return segments;
    }

    private static string? ChecksumOfFile(string path, ChecksumAlgorithm algorithm)
    {
        try
        {
            return File.Exists(path) ? FileHasher.Compute(path, algorithm) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>An edge for every input that names its producing stage, with the checksum the producer recorded.</summary>
    public static IEnumerable<LineageEdge> LineageOf(IEnumerable<StageManifest> manifests)
    {
        var all = manifests.ToList();
        // Loops rather than a query per manifest: a fan-out of 100,000 items passes here at the end of every run.
        var outputs = new Dictionary<string, FileRecord>();
        foreach (var manifest in all)
        {
            foreach (var output in manifest.Outputs) outputs[output.Path] = output;
        }
        foreach (var manifest in all)
        {
            foreach (var input in manifest.Inputs)
            {
                if (input.FromStage is null) continue;
                var produced = outputs.GetValueOrDefault(input.Path);
                yield return new LineageEdge
                {
                    FromStage = input.FromStage!,
                    FromOutput = input.FromOutput ?? produced?.Name ?? "",
                    ToStage = manifest.StageId,
                    ToInput = input.Name ?? "",
                    Path = input.Path,
                    Checksum = produced?.Checksum ?? input.Checksum,
                };
            }
        }
    }

    /// <summary>
    /// A stage whose own records met a full disk: its manifest says so, written in the space the reserve gives back.
    /// </summary>
    public static StageOutcome RecordNoSpace(StageInvocation invocation, RunServices services, DiskFullWatch diskFull, Exception error)
    {
        var path = invocation.Layout.StageManifestPath(invocation.Stage.Id);
        diskFull.FreeSpace(error, path, records: true);
        var reason = $"{diskFull.Message ?? "no space left"}: {error.Message}";
        var manifest = Placeholder(invocation, services, StageStatus.Failed, reason);
        manifest.Errors.Add(new ProblemRecord
        {
            Timestamp = services.Time.GetUtcNow(), Message = reason, ExceptionType = error.GetType().FullName, ExceptionMessage = error.Message,
        });
        string? checksum = null;
        try
        {
            checksum = ManifestJson.Write(path, manifest, services.Checksums.Algorithm);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not even this fits: the job manifest and the pipeline log still say why.
        }
        return new StageOutcome(invocation.Stage.Id, StageStatus.Failed, reason, 0, manifest) { ManifestChecksum = checksum };
    }

    public static StageManifest Placeholder(StageInvocation invocation, RunServices services, StageStatus status, string reason) => new()
    {
        Stage = invocation.Stage.Name,
        StageId = invocation.Stage.Id,
        StageNumber = invocation.Stage.Number,
        JobId = invocation.Layout.JobId,
        RunId = invocation.RunId,
        Timestamp = services.Time.GetUtcNow(),
        StartedUtc = services.Time.GetUtcNow(),
        Status = status.ToText(),
        StatusReason = reason,
        Kind = StageRunner.KindOf(invocation.Stage),
        Host = services.Host,
        WaybillVersion = RunServices.Version,
    };
}
