using Waybill.Core.IO;
using Waybill.Core.Stages;

namespace Waybill.Core.Execution.Attempts;

/// <summary>
/// What a failed try left at the stage's declared output paths goes before the next try, which must start without it
/// (the outputs from before the first try stay aside: they come back only if the last try fails too).
/// </summary>
internal static class TryLeftovers
{
    public static void Remove(StageContext context)
    {
        foreach (var output in context.Definition.Outputs)
        {
            // Nothing is removed through a link out of the job; OutputsAside.Prepare refuses it by name next.
            if (OutputLinks.Problem(context.Layout, context.StageDir, output.Path) is not null) continue;
            var path = Path.GetFullPath(Path.Combine(context.StageDir, output.Path));
            try
            {
                PathEntry.Remove(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StageFailedException($"cannot remove {context.Layout.RelativeToJob(path)}, left by the previous try, "
                    + $"before trying again: {e.Message}", e);
            }
        }
    }
}
