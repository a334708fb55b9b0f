using System.CommandLine;
using Waybill.Cli.Output;
using Waybill.Core.Execution;
using Waybill.Core.Execution.Resources;
using Waybill.Core.Pipeline;

namespace Waybill.Cli.Commands;

internal static class ValidateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline file (waybill.yaml) or a folder holding one" };
        var set = new Option<string[]>("--set") { Description = "Config overrides to validate with, as for 'run'" };
        var command = new Command("validate", "Check a pipeline file without running it: syntax, keys, stages, references, cycles, placeholders, "
            + "and that every stage's threads, memory and gpus fit in what a run may use") { pipeline, set };
        var resources = new ResourceOptions();
        resources.AddTo(command);
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var definition = await PipelineLoading.LoadAsync(parse.GetValue(pipeline)!, parse.GetValue(set) ?? [], cancellationToken);
            ConsoleSecrets.Learn(definition);
            var plan = new ExecutionPlan(definition);
            ResourceCheck.ThrowIfTooLarge(plan.Order, resources.Read(parse));
            output.WriteLine($"{definition.SourcePath}: valid — pipeline '{definition.Name}', {plan.Order.Count} stages: {string.Join(" → ", plan.Order.Select(s => s.Id))}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
