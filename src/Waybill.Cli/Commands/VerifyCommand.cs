using System.CommandLine;
using System.Text.Json;
using Waybill.Core.Integrity;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill verify</c>: does the job folder still hold what its manifests say? Exit 0 when sound, 1 when not.</summary>
internal static class VerifyCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var outRoot = CommonOptions.Out();
        var json = new Option<bool>("--json") { Description = "Print one JSON object with every finding and the counts" };
        var fast = new Option<bool>("--fast") { Description = "Trust files whose size and modification time match the manifest instead of hashing them" };
        var stage = new Option<string?>("--stage")
        {
            Description = "Report only this stage's findings (06_asr, asr, an item 06_asr[ep-01], or a fan-out stage for all its items)",
        };
        var command = new Command("verify", "Check a job folder against its manifests: files, checksums, lineage, logs")
        {
            job, outRoot, json, fast, stage,
        };
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            if (!File.Exists(layout.JobManifestPath))
                throw new CliException($"{layout.Root} has no manifest.json: it is not a job folder or its run never started", "give the folder of a job (out/<job-id>)");
            var only = parse.GetValue(stage) is { } typed ? JobStages.Resolve(layout, typed).Ids.ToHashSet(StringComparer.Ordinal) : null;
            var report = JobVerifier.Verify(layout, new VerifyOptions(Fast: parse.GetValue(fast)), cancellationToken);
            if (only is not null) report = report.Only(only);
            if (parse.GetValue(json))
            {
                var document = report.ToJson();
                document["job_id"] = layout.JobId;
                output.WriteLine(document.ToJsonString(Indented));
            }
            else
            {
                Print(report, layout.JobId, output);
            }
            return Task.FromResult(report.IsSound ? ExitCodes.Success : ExitCodes.VerificationFailed);
        }));
        return command;
    }

    /// <summary>One line per finding under its stage, the hints for the problems once each, then the summary line last.</summary>
    private static void Print(VerifyReport report, string jobId, TextWriter output)
    {
        output.WriteLine($"Verifying job {jobId} in {report.JobRoot}");
        foreach (var group in report.Findings.GroupBy(f => f.Stage))
        {
            output.WriteLine(group.Key ?? "job");
            foreach (var finding in group)
                output.WriteLine($"  {VerifyReport.SeverityText(finding.Severity),-8} {finding.Message}");
        }
        var hints = report.Findings.Where(f => f.Severity != FindingSeverity.Info && f.Hint is not null).Select(f => f.Hint!).Distinct(StringComparer.Ordinal).ToList();
        if (hints.Count > 0)
        {
            output.WriteLine("hints:");
            foreach (var hint in hints) output.WriteLine($"  - {hint}");
        }
        output.WriteLine(report.SummaryLine());
    }
}
