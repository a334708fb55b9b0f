using Waybill.Core.Execution;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Cli.Commands;

/// <summary>Turns the errors a user can cause into a clear message and an exit code — never a bare stack trace.</summary>
internal static class Guard
{
    public static async Task<int> RunAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (PipelineInvalidException e)
        {
            foreach (var problem in e.Errors) await error.WriteLineAsync($"error: {problem}");
            return ExitCodes.InvalidInput;
        }
        catch (CliException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            if (e.Hint is not null) await error.WriteLineAsync($"hint: {e.Hint}");
            return e.ExitCode;
        }
        catch (ManifestFormatException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            if (e is not ManifestVersionException) await error.WriteLineAsync("hint: the manifest is damaged or was edited by hand; re-run the stage to rewrite it");
            return ExitCodes.InvalidInput;
        }
        catch (JobLockedException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.JobLocked;
        }
        catch (JobFolderException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.IoError;
        }
        catch (Waybill.Media.Models.ModelException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            if (e.Hint is not null) await error.WriteLineAsync($"hint: {e.Hint}");
            return e is Waybill.Media.Models.ModelFetchException ? ExitCodes.ModelFailed : ExitCodes.InvalidInput;
        }
        catch (Waybill.Catalog.CatalogException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return e is Waybill.Catalog.CatalogUnavailableException ? ExitCodes.IoError : ExitCodes.InvalidInput;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.IoError;
        }
#pragma warning disable CA1031 // The last line of defence: a message instead of a bare stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"error: unexpected {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("WAYBILL_DEBUG") == "1") await error.WriteLineAsync(e.ToString());
            else await error.WriteLineAsync("hint: this is a fault in Waybill; run again with WAYBILL_DEBUG=1 for the stack trace and report it");
            return ExitCodes.InternalError;
        }
    }

    public static int Wrap(TextWriter error, Func<int> action) => RunAsync(error, () => Task.FromResult(action())).GetAwaiter().GetResult();
}
