using System.CommandLine;
using Waybill.Cli.Output;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill exec-stage</c>: run one stage of an existing job as its own process (what a cluster scheduler runs).</summary>
internal static class ExecStageCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var stage = new Argument<string>("stage") { Description = "Stage id or name" };
        var outRoot = CommonOptions.Out();
        var set = SecretSetOption.Create();
        var command = new Command("exec-stage", "Run a single stage of an existing job in this process, using the job's pipeline snapshot")
        {
            job, stage, outRoot, set,
        };
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            var snapshot = SnapshotLoader.Load(layout, Builtins.Create(), SecretSupply.FromProcess("exec-stage", parse.GetValue(set) ?? []));
            ConsoleSecrets.Learn(snapshot.Pipeline, snapshot.Secrets);
            var outcome = await SingleStage.RunAsync(layout, snapshot.Pipeline, parse.GetValue(stage)!, new ConsoleLogSink(output), cancellationToken,
                snapshot.Secrets);
            await output.WriteLineAsync($"{outcome.StageId}: {outcome.Status.ToText()}{(outcome.Reason is null ? "" : $" ({outcome.Reason})")}");
            return outcome.Status switch
            {
                StageStatus.Success or StageStatus.Skipped => ExitCodes.Success,
                StageStatus.Cancelled => ExitCodes.Cancelled,
                _ => ExitCodes.StageFailed,
            };
        }));
        return command;
    }
}
