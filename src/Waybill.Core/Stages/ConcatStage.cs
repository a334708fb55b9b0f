using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;

namespace Waybill.Core.Stages;

/// <summary>Concatenates every input, in declaration order, into the single declared output; an absent optional input is left out.</summary>
public sealed class ConcatStage : IStage
{
    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        if (context.Definition.Outputs.Count != 1)
            throw new StageFailedException($"concat needs exactly one output; {context.Definition.Id} declares {context.Definition.Outputs.Count}");
        var target = context.OutputPath(context.Definition.Outputs[0].Name);
        await HashedOutput.WriteAsync(context, target, async to =>
        {
            foreach (var input in context.Definition.Inputs.Where(i => context.HasInput(i.Name)))
            {
                await using var from = File.OpenRead(context.InputPath(input.Name));
                await from.CopyToAsync(to, cancellationToken);
            }
        });
        context.Logger.LogInformation("concatenated {Count} input(s) into {Output}", context.Definition.Inputs.Count, Path.GetFileName(target));
    }
}
