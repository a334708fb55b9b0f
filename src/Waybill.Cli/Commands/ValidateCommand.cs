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
            output.WriteLine($"{definition.SourcePath}: valid — pipeline '{definition.Name}', {plan.Order.Count} stages: {Stages(plan)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary><c>01_demux[3 items] → 02_asr[3 items] → 03_all</c>: a fan-out's item runs counted, not listed one by one.</summary>
    private static string Stages(ExecutionPlan plan) => string.Join(" → ", plan.Order
        .GroupBy(s => s.TemplateId ?? s.Id, StringComparer.Ordinal)
        .Select(g => g.First().Item is null ? g.Key : $"{g.Key}[{g.Count()} item{(g.Count() == 1 ? "" : "s")}]"));
}
