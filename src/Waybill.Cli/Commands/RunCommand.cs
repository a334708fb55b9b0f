using System.CommandLine;
using Waybill.Cli.Output;
using Waybill.Core.Caching;
using Waybill.Core.Execution;
using Waybill.Core.Pipeline;

namespace Waybill.Cli.Commands;

internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline file (waybill.yaml) or a folder holding one" };
        var jobId = new Option<string?>("--job-id") { Description = "Job id (folder name under --out); generated when omitted" };
        var outRoot = CommonOptions.Out();
        var jobs = new Option<int>("--jobs", "-j") { Description = "Run up to N independent stages at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Show what would run, in order, without running anything" };
        var set = new Option<string[]>("--set") { Description = "Override config: key=value (pipeline) or stage.key=value (one stage); repeatable", AllowMultipleArgumentsPerToken = false };
        var debug = new Option<bool>("--debug") { Description = "Show DEBUG lines on the console too (stage.log always has them)" };
        var keepGoing = new Option<bool>("--keep-going", "-k") { Description = "After a failure, still run stages that do not depend on it" };
        var legacy = new Option<bool>("--legacy-stage-logs") { Description = "Also write logs/NN_name_<timestamp>.log per stage" };
        var lineage = CommonOptions.OpenLineage();
        var otlp = TelemetryOption.Create();

        var command = new Command("run", "Run a pipeline into a job folder") { pipeline, jobId, outRoot, jobs, dryRun, set, debug, keepGoing, legacy };
        lineage.AddTo(command);
        command.Add(otlp);
        var rerun = new RerunOptions();
        rerun.AddTo(command);
        var resources = new ResourceOptions();
        resources.AddTo(command);
        var cache = new CacheOptions();
        cache.AddTo(command);
        var catalog = new CatalogOptions();
        catalog.AddTo(command);
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var overrides = parse.GetValue(set) ?? [];
            var definition = await PipelineLoading.LoadAsync(parse.GetValue(pipeline)!, overrides, cancellationToken);
            ConsoleSecrets.Learn(definition);
            var limits = resources.Read(parse);
            if (parse.GetValue(dryRun))
            {
                return await DryRunAsync(definition, parse.GetValue(jobId), parse.GetValue(outRoot)!, rerun.Read(parse), limits, output,
                    cancellationToken);
            }
            var settings = new PipelineExecution.Settings(parse.GetValue(jobId), parse.GetValue(outRoot)!, parse.GetValue(jobs),
                parse.GetValue(keepGoing), parse.GetValue(legacy), parse.GetValue(debug), overrides, lineage.Read(parse))
            {
                Rerun = rerun.Read(parse), Resources = limits, Cache = cache.Read(parse),
                OtlpEndpoint = parse.GetValue(otlp), Catalog = catalog.Read(parse),
            };
            var (_, code) = await PipelineExecution.RunAsync(definition, settings, output, cancellationToken);
            return code;
        }));
        return command;
    }

    /// <summary>What a run would do: on an existing job (<c>--job-id</c>), each stage's decision and its reasons; nothing is written.</summary>
    private static async Task<int> DryRunAsync(PipelineDefinition definition, string? jobId, string outRoot, PipelineExecution.Selection selection,
        Core.Execution.Resources.RunResources resources, TextWriter output, CancellationToken cancellationToken)
    {
        var options = new RunOptions
        {
            JobId = jobId, OutputRoot = outRoot, Force = selection.Force, From = selection.From, Until = selection.Until, Resources = resources,
        };
        var planned = await RunPlanner.PlanAsync(definition, options, cancellationToken);
        var plan = new ExecutionPlan(definition);
        var runs = planned.Count(p => p.Selected && p.Decision.Run);
        var job = jobId is not null && Directory.Exists(Path.Combine(outRoot, jobId)) ? $"job {jobId}" : "a new job";
        output.WriteLine($"Pipeline {definition.Name}, {job}: {runs} of {plan.Order.Count} stages would run (dry run: nothing is written)");
        var position = 0;
        foreach (var (stage, selected, decision) in planned)
        {
            position++;
            var verdict = !selected ? "left as is" : decision.Run ? "would run" : "up to date";
            Explanation.Write(output, $"  {position}/{plan.Order.Count} {stage.Id}", verdict, decision);
            if (!selected || !decision.Run) continue;
            var after = plan.Dependencies[stage.Id];
            var what = stage.Kind switch { StageKind.Command => "run: " + stage.Command, StageKind.Builtin => "uses: " + stage.Uses, _ => "code" };
            output.WriteLine($"      {what.ReplaceLineEndings(" ").Trim()}{(after.Count == 0 ? "" : $"  (after {string.Join(", ", after)})")}");
        }
        return ExitCodes.Success;
    }
}
