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

    public static void WriteMetadata(JobLayout layout, Pipeline.PipelineDefinition pipeline, string runId, TimeProvider time, RunOptions options, Redactor redactor)
    {
        var created = time.GetUtcNow();
        if (File.Exists(layout.MetadataPath))
        {
            try
            {
                if (JsonNode.Parse(File.ReadAllText(layout.MetadataPath))?["created_utc"]?.GetValue<DateTimeOffset>() is { } earlier) created = earlier;
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                // A damaged metadata.json is rewritten whole below.
            }
        }
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
            ["command_line"] = new JsonArray([.. options.CommandLine.Select(a => (JsonNode?)JsonValue.Create(redactor.Redact(a)))]),
            ["overrides"] = new JsonArray([.. options.Overrides.Select(a => (JsonNode?)JsonValue.Create(RedactOverride(a, redactor)))]),
            ["max_parallel"] = options.MaxParallel,
            ["keep_going"] = options.KeepGoing,
            ["checksum"] = pipeline.Checksum.Prefix(),
        };
        AtomicFile.WriteAllText(layout.MetadataPath, metadata.ToJsonString(Indented));
    }

    /// <summary>The pipeline file as run, so <c>waybill exec-stage</c> can run one stage later, in another process or on another node.</summary>
    public static void WriteSnapshot(JobLayout layout, Pipeline.PipelineDefinition pipeline, IReadOnlyList<string> overrides, Redactor redactor)
    {
        var text = pipeline.SourceText ?? (pipeline.SourcePath is { } path && File.Exists(path) ? File.ReadAllText(path) : null);
        if (text is null) return;
        // Secret values written in the file are masked here too: secrets belong in the environment, not in the job folder.
        AtomicFile.WriteAllText(Path.Combine(layout.StateDir, "pipeline.yaml"), redactor.Redact(text));
        var run = new JsonObject
        {
            ["source_path"] = pipeline.SourcePath,
            ["base_directory"] = pipeline.BaseDirectory,
            ["overrides"] = new JsonArray([.. overrides.Select(a => (JsonNode?)JsonValue.Create(RedactOverride(a, redactor)))]),
        };
        AtomicFile.WriteAllText(Path.Combine(layout.StateDir, "run.json"), run.ToJsonString(Indented));
    }

    private static string RedactOverride(string item, Redactor redactor)
    {
        var eq = item.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && Redactor.IsSecretName(item[..eq]) ? item[..(eq + 1)] + Redactor.Mask : redactor.Redact(item);
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
        Stages = [.. plan.Order.Select(s => new JobStageSummary
        {
            StageId = s.Id,
            Stage = s.Name,
            StageNumber = s.Number,
            DependsOn = plan.Dependencies[s.Id],
            Manifest = s.Id + "/manifest.json",
        })],
    };

    public static void Update(JobManifest job, StageOutcome outcome)
    {
        var summary = job.Stages.First(s => s.StageId == outcome.StageId);
        summary.Status = outcome.Status.ToText();
        summary.StatusReason = outcome.Reason;
        summary.DurationSeconds = outcome.DurationSeconds;
        summary.Outputs = [.. outcome.Manifest.Outputs.Select(o => o.Path)];
        summary.WarningCount = outcome.Manifest.Warnings.Count;
        summary.ErrorCount = outcome.Manifest.Errors.Count;
    }

    public static void Complete(JobManifest job, IReadOnlyDictionary<string, StageOutcome> outcomes, StageStatus status, TimeProvider time, TimeSpan elapsed)
    {
        job.Status = status.ToText();
        job.FinishedUtc = time.GetUtcNow();
        job.DurationSeconds = Math.Round(elapsed.TotalSeconds, 3);
        job.Lineage = [.. LineageOf(outcomes.Values.Select(o => o.Manifest))];
    }

    /// <summary>An edge for every input that names its producing stage, with the checksum the producer recorded.</summary>
    public static IEnumerable<LineageEdge> LineageOf(IEnumerable<StageManifest> manifests)
    {
        var all = manifests.ToList();
        var outputs = all.SelectMany(m => m.Outputs.Select(o => (m.StageId, Output: o))).GroupBy(x => x.Output.Path).ToDictionary(g => g.Key, g => g.Last());
        foreach (var manifest in all)
        {
            foreach (var input in manifest.Inputs.Where(i => i.FromStage is not null))
            {
                outputs.TryGetValue(input.Path, out var produced);
                yield return new LineageEdge
                {
                    FromStage = input.FromStage!,
                    FromOutput = input.FromOutput ?? produced.Output?.Name ?? "",
                    ToStage = manifest.StageId,
                    ToInput = input.Name ?? "",
                    Path = input.Path,
                    Checksum = produced.Output?.Checksum ?? input.Checksum,
                };
            }
        }
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
