using Waybill.Core.Pipeline;

namespace Waybill.Cli.Commands;

/// <summary>
/// Loads a pipeline file for a command so that Ctrl-C or SIGTERM ends the wait at once: the loader checks the token as it
/// parses, and a read blocked on a pipe or a hung network file system is left behind (loading writes nothing).
/// </summary>
internal static class PipelineLoading
{
    public static async Task<PipelineDefinition> LoadAsync(string path, IEnumerable<string> overrides, CancellationToken cancellationToken)
    {
        var load = Task.Run(() => PipelineFileLoader.Load(path, overrides, Builtins.Create(), cancellationToken: cancellationToken),
            CancellationToken.None);
        try
        {
            return await load.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"cancelled while loading the pipeline file '{path}': nothing was run or written", exitCode: ExitCodes.Cancelled);
        }
    }
}
