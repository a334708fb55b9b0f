using System.CommandLine;
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

        var command = new Command("run", "Run a pipeline into a job folder") { pipeline, jobId, outRoot, jobs, dryRun, set, debug, keepGoing, legacy };
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var overrides = parse.GetValue(set) ?? [];
            var definition = PipelineFileLoader.Load(parse.GetValue(pipeline)!, overrides, Builtins.Create());
            if (parse.GetValue(dryRun)) return DryRun(definition, output);
            var settings = new PipelineExecution.Settings(parse.GetValue(jobId), parse.GetValue(outRoot)!, parse.GetValue(jobs),
                parse.GetValue(keepGoing), parse.GetValue(legacy), parse.GetValue(debug), overrides);
            var (_, code) = await PipelineExecution.RunAsync(definition, settings, output, cancellationToken);
            return code;
        }));
        return command;
    }

    private static int DryRun(PipelineDefinition definition, TextWriter output)
    {
        var plan = new ExecutionPlan(definition);
        output.WriteLine($"Pipeline {definition.Name}: {plan.Order.Count} stages would run (dry run: nothing is written)");
        var position = 0;
        foreach (var stage in plan.Order)
        {
            position++;
            var after = plan.Dependencies[stage.Id];
            var what = stage.Kind switch { StageKind.Command => "run: " + stage.Command, StageKind.Builtin => "uses: " + stage.Uses, _ => "code" };
            output.WriteLine($"  {position}/{plan.Order.Count} {stage.Id} — would run{(after.Count == 0 ? "" : $"; after {string.Join(", ", after)}")}");
            output.WriteLine($"      {what.ReplaceLineEndings(" ").Trim()}");
        }
        return ExitCodes.Success;
    }
}
