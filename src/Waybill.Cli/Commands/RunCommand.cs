using System.CommandLine;
using Microsoft.Extensions.Logging;
using Waybill.Cli.Output;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
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
            var definition = PipelineFileLoader.Load(parse.GetValue(pipeline)!, overrides);
            var parallel = parse.GetValue(jobs);
            if (parallel < 1) throw new CliException($"--jobs must be at least 1, not {parallel}");
            if (parse.GetValue(dryRun)) return DryRun(definition, output);

            // On a terminal a live bar counts finished stages under the log lines; piped output stays plain.
            var live = Terminal.IsInteractive ? Terminal.Create(output) : null;
            var options = new RunOptions
            {
                JobId = parse.GetValue(jobId),
                OutputRoot = parse.GetValue(outRoot)!,
                MaxParallel = parallel,
                KeepGoing = parse.GetValue(keepGoing),
                LegacyStageLogs = parse.GetValue(legacy),
                Console = new ConsoleLogSink(output, live),
                ConsoleLevel = parse.GetValue(debug) ? LogLevel.Debug : LogLevel.Information,
                CommandLine = [.. Environment.GetCommandLineArgs().Skip(1)],
                Overrides = overrides,
            };
            var result = live is null
                ? await PipelineRunner.RunAsync(definition, options, cancellationToken)
                : await LiveProgress.RunAsync(live, definition, options, cancellationToken);
            Summary.Print(output, result.JobDir, result.Stages.Select(s => s.Manifest).ToList());
            await output.WriteLineAsync($"Job folder:   {Path.GetRelativePath(Environment.CurrentDirectory, result.JobDir)}");
            await output.WriteLineAsync($"Pipeline log: {Path.GetRelativePath(Environment.CurrentDirectory, result.PipelineLog)}");
            return result.Status switch
            {
                StageStatus.Success => ExitCodes.Success,
                StageStatus.Cancelled => ExitCodes.Cancelled,
                _ => ExitCodes.StageFailed,
            };
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
