using System.CommandLine;
using System.Text;
using Waybill.Cli.Output;
using Waybill.Core.Execution;
using Waybill.Core.IO;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Commands;

internal static class StatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.OptionalJob();
        var outRoot = CommonOptions.Out();
        var stageArg = new Argument<string?>("stage")
        {
            Description = "Only this stage (06_asr or asr), item (06_asr[ep-01]) or fan-out stage, with a row per item",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var json = new Option<bool>("--json") { Description = "Print the job manifest as JSON (with a stage: only its entries in stages[])" };
        var items = new Option<bool>("--items") { Description = $"A row per item of every fan-out (more than {SummaryRows.GroupAbove} are one row)" };
        var command = new Command("status", "Show each stage of a job: status, duration, outputs, warnings and errors")
        {
            job, stageArg, outRoot, json, items,
        };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            if (!File.Exists(layout.JobManifestPath)) throw new CliException($"{layout.Root} has no manifest.json: it is not a job folder or its run never started");
            var only = parse.GetValue(stageArg) is { } typed ? JobStages.Resolve(layout, typed).Ids.ToHashSet(StringComparer.Ordinal) : null;
            if (parse.GetValue(json))
            {
                // A run killed, or still going, has stage outcomes in its journal that manifest.json does not hold yet.
                var bytes = File.Exists(layout.JournalPath)
                    ? ManifestJson.Serialize(JobJournalFile.ReadJob(layout))
                    : ManifestLimits.ReadBytes(layout.JobManifestPath);
                output.WriteLine(only is null ? Encoding.UTF8.GetString(bytes) : StatusJson.Only(layout, bytes, only));
                return ExitCodes.Success;
            }
            var jobManifest = JobJournalFile.ReadJob(layout);
            // "running" is true only while a live run holds the lock; otherwise it is what a killed run left behind.
            var interrupted = jobManifest.Status == "running" && !RunLock.IsHeld(layout, out _);
            var state = interrupted ? "INTERRUPTED (no live run holds the lock)" : jobManifest.Status.ToUpperInvariant();
            if (!interrupted && jobManifest.Warnings is { Count: > 0 } forgiven)
                state += forgiven.Count == 1 ? " with 1 optional stage failed" : $" with {forgiven.Count} optional stages failed";
            output.WriteLine($"Job {jobManifest.JobId} — pipeline {jobManifest.Pipeline} — {state} ({jobManifest.DurationSeconds:0.0}s), "
                + $"run {jobManifest.RunId}");
            if (interrupted)
                output.WriteLine($"The run was killed before it finished; 'waybill resume {jobManifest.JobId}' runs what it left unfinished.");
            // Each stage run's manifest read on every core: a job of 100,000 items has as many (2.8 → 2.2 s, docs/performance.md).
            var stages = ParallelReads.Select([.. jobManifest.Stages.Where(s => only is null || only.Contains(s.StageId))], s =>
            {
                var path = layout.StageManifestPath(s.StageId);
                // A manifest behind a stage folder linked out of the job is not this job's record: its status is not shown as one.
                if (JobFolderLinks.OutsideTarget(layout, layout.StageDir(s.StageId)) is { } outside)
                    return FromJob(s, $"{s.Status} (folder links out of the job: not read)", $"{s.StageId}/ is a symbolic link to {outside}");
                // A stage a later run found up to date is shown as that run decided; its manifest names the run that produced it.
                return File.Exists(path) ? UpToDateRecord.ForReader(ManifestJson.ReadStage(path), s) : FromJob(s, s.Status, s.StatusReason);
            });
            if (interrupted)
            {
                foreach (var stage in stages.Where(s => s.Status == "running")) stage.Status = "interrupted";
            }
            var optional = jobManifest.Stages.Where(s => s.Optional == true).Select(s => s.StageId).ToHashSet(StringComparer.Ordinal);
            Summary.Print(output, layout.Root, stages, optional, [.. (jobManifest.Warnings ?? []).Select(Describe)],
                allItems: only is not null || parse.GetValue(items), jobId: jobManifest.JobId, cost: only is null ? jobManifest.Cost : null);
            return ExitCodes.Success;

            // "optional stage 10_translation failed: reason; skipped because of it: 11_x, 12_y"
            static string Describe(JobWarning w) =>
                w.Skipped is { Count: > 0 } skipped ? $"{w.Message}; skipped because of it: {string.Join(", ", skipped)}" : w.Message;

            StageManifest FromJob(JobStageSummary s, string status, string? reason) => new()
            {
                Stage = s.Stage, StageId = s.StageId, StageNumber = s.StageNumber, JobId = jobManifest.JobId, RunId = jobManifest.RunId,
                Status = status, StatusReason = reason, Kind = "?", Host = jobManifest.Host, WaybillVersion = jobManifest.WaybillVersion,
            };
        }));
        return command;
    }
}
