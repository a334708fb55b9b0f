using System.CommandLine;
using System.Text;
using Waybill.Cli.Output;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Commands;

internal static class StatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.OptionalJob();
        var outRoot = CommonOptions.Out();
        var json = new Option<bool>("--json") { Description = "Print the job manifest as JSON" };
        var command = new Command("status", "Show each stage of a job: status, duration, outputs, warnings and errors") { job, outRoot, json };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            if (!File.Exists(layout.JobManifestPath)) throw new CliException($"{layout.Root} has no manifest.json: it is not a job folder or its run never started");
            if (parse.GetValue(json))
            {
                output.WriteLine(Encoding.UTF8.GetString(File.ReadAllBytes(layout.JobManifestPath)));
                return ExitCodes.Success;
            }
            var jobManifest = ManifestJson.ReadJob(layout.JobManifestPath);
            output.WriteLine($"Job {jobManifest.JobId} — pipeline {jobManifest.Pipeline} — {jobManifest.Status.ToUpperInvariant()} ({jobManifest.DurationSeconds:0.0}s), run {jobManifest.RunId}");
            var stages = jobManifest.Stages.Select(s =>
            {
                var path = layout.StageManifestPath(s.StageId);
                return File.Exists(path) ? ManifestJson.ReadStage(path) : new StageManifest
                {
                    Stage = s.Stage, StageId = s.StageId, StageNumber = s.StageNumber, JobId = jobManifest.JobId, RunId = jobManifest.RunId,
                    Status = s.Status, StatusReason = s.StatusReason, Kind = "?", Host = jobManifest.Host, WaybillVersion = jobManifest.WaybillVersion,
                };
            }).ToList();
            Summary.Print(output, layout.Root, stages);
            return ExitCodes.Success;
        }));
        return command;
    }
}
