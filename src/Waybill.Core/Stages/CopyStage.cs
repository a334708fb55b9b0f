using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;

namespace Waybill.Core.Stages;

/// <summary>Copies each input to the output of the same name, or the only input to the only output.</summary>
public sealed class CopyStage : IStage
{
    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var pairs = context.Definition.Inputs.Count == 1 && context.Definition.Outputs.Count == 1
            ? [(context.Definition.Inputs[0].Name, context.Definition.Outputs[0].Name)]
            : context.Definition.Outputs.Select(o => (o.Name, o.Name)).ToList();
        foreach (var (input, output) in pairs)
        {
            var source = context.InputPath(input);
            var target = context.OutputPath(output);
            context.Logger.LogDebug("copying {Source} to {Target}", source, target);
            await HashedOutput.WriteAsync(context, target, async to =>
            {
                await using var from = File.OpenRead(source);
                await from.CopyToAsync(to, cancellationToken);
            });
        }
        context.Logger.LogInformation("copied {Count} file(s)", pairs.Count);
    }
}
