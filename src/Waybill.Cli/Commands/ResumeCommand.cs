using System.CommandLine;
using Waybill.Cli.Output;
using Waybill.Core.Execution;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill resume</c>: run a job again from its own pipeline snapshot; finished stages that are still up to date are skipped.</summary>
internal static class ResumeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var outRoot = CommonOptions.Out();
        var jobs = new Option<int>("--jobs", "-j") { Description = "Run up to N independent stages at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var debug = new Option<bool>("--debug") { Description = "Show DEBUG lines on the console too (stage.log always has them)" };
        var keepGoing = new Option<bool>("--keep-going", "-k") { Description = "After a failure, still run stages that do not depend on it" };
        var set = SecretSetOption.Create();
        var command = new Command("resume", "Continue a failed, cancelled or killed job: stages that are up to date are skipped, the rest run")
        {
            job, outRoot, jobs, debug, keepGoing, set,
        };
        var rerun = new RerunOptions();
        rerun.AddTo(command);
        var lineage = CommonOptions.OpenLineage();
        var otlp = TelemetryOption.Create();
        lineage.AddTo(command);
        command.Add(otlp);
        var resources = new ResourceOptions();
        resources.AddTo(command);
        var cache = new CacheOptions();
        cache.AddTo(command);
        var catalog = new CatalogOptions();
        catalog.AddTo(command);
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            var snapshot = SnapshotLoader.Load(layout, Builtins.Create(), SecretSupply.FromProcess("resume", parse.GetValue(set) ?? []));
            ConsoleSecrets.Learn(snapshot.Pipeline, snapshot.Secrets);
            await output.WriteLineAsync(Describe(layout));
            var settings = new PipelineExecution.Settings(layout.JobId, Path.GetDirectoryName(layout.Root)!, parse.GetValue(jobs),
                parse.GetValue(keepGoing), false, parse.GetValue(debug), snapshot.Overrides, lineage.Read(parse))
            {
                Rerun = rerun.Read(parse), Secrets = snapshot.Secrets, Resources = resources.Read(parse), Cache = cache.Read(parse),
                OtlpEndpoint = parse.GetValue(otlp), Catalog = catalog.Read(parse),
            };
            var (_, code) = await PipelineExecution.RunAsync(snapshot.Pipeline, settings, output, cancellationToken);
            return code;
        }));
        return command;
    }

    private static string Describe(Core.Jobs.JobLayout layout)
    {
        if (!File.Exists(layout.JobManifestPath)) return $"Resuming job {layout.JobId} (no job manifest: every stage is checked)";
        try
        {
            var last = JobJournalFile.ReadJob(layout);
            var done = last.Stages.Count(s => s.Status is "success" or "skipped");
            var state = last.Status == "running" ? "interrupted (the run was killed or is still running)" : last.Status;
            return $"Resuming job {layout.JobId}: last run {last.RunId} {state}, {done} of {last.Stages.Count} stages done";
        }
        catch (ManifestFormatException e)
        {
            return $"Resuming job {layout.JobId} (job manifest unreadable: {e.Message}; every stage is checked)";
        }
    }
}
