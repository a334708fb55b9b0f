using Waybill.Core.Text;
using System.CommandLine;
using Waybill.Cli.Output;
using Waybill.Core.Pipeline.Controls;
using Waybill.Media.Models;
using Waybill.Media.Models.Fetching;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill models fetch ID...</c>: download, continue a broken download, verify, install atomically.</summary>
internal static class ModelsFetch
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var ids = ModelsCommand.Ids("Model ids (e.g. whisper:base.en vad:silero); 'waybill models list' shows them", ArgumentArity.OneOrMore);
        var mirror = new Option<string?>("--mirror")
        {
            Description = $"Fetch from this mirror instead: an http(s) URL or a folder that serves each model by its file name ({FetchOptions.MirrorVariable})",
        };
        var force = new Option<bool>("--force") { Description = "Fetch again even when the model is present and verified (and drop a partial download)" };
        var command = new Command("fetch", "Download models into the model folder; checked against the pinned SHA-256 before they are installed")
        {
            ids, mirror, force,
        };
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var models = ModelsCommand.Resolve(ModelsCommand.Catalog(), parse.GetValue(ids) ?? []);
            var options = new FetchOptions(parse.GetValue(mirror) ?? Environment.GetEnvironmentVariable(FetchOptions.MirrorVariable), parse.GetValue(force));
            var progress = new DownloadProgress(error, TimeProvider.System);
            using var http = ModelHttpClient.Create();
            var fetcher = new ModelFetcher(ModelsCommand.Folder(), http)
            {
                Progress = progress.Report,
                Notice = line => error.WriteLine($"warning: {line}"),
            };
            var failures = 0;
            foreach (var model in models)
            {
                try
                {
                    await FetchOneAsync(fetcher, model, options, progress, output, cancellationToken);
                }
                catch (ModelFetchException e) when (models.Count > 1)
                {
                    // The others are still worth fetching; the exit code says one failed.
                    progress.End();
                    failures++;
                    await error.WriteLineAsync($"error: {model.Id}: {e.Message}");
                    if (e.Hint is not null) await error.WriteLineAsync($"hint: {e.Hint}");
                }
                finally
                {
                    progress.End();
                }
            }
            return failures == 0 ? ExitCodes.Success : ExitCodes.ModelFailed;
        }));
        return command;
    }

    private static async Task FetchOneAsync(ModelFetcher fetcher, KnownModel model, FetchOptions options, DownloadProgress progress, TextWriter output,
        CancellationToken cancellationToken)
    {
        var size = Quantities.FormatSize(model.SizeBytes ?? 0);
        var partial = new FileInfo(fetcher.PartialPath(model));
        var target = Path.Combine(fetcher.ModelFolder, model.FileName);
        if (options.Force || !File.Exists(target))
        {
            var from = ModelFetcher.SourceOf(model, options.Mirror);
            var resume = partial.Exists && partial.Length > 0 && !options.Force ? $", continuing after {Quantities.FormatSize(partial.Length)}" : "";
            await output.WriteLineAsync($"Fetching {model.Id} ({size}) from {UrlDisplay.Of(from)}{resume}");
        }
        var result = await fetcher.FetchAsync(model, options, cancellationToken);
        progress.End();
        var line = result.Outcome switch
        {
            FetchOutcome.AlreadyPresent => $"{model.Id} is present and verified: {result.Path}",
            FetchOutcome.Resumed => $"Installed {model.Id}: {result.Path} (SHA-256 verified; resumed, {Quantities.FormatSize(result.BytesTransferred)} transferred)",
            _ => $"Installed {model.Id}: {result.Path} (SHA-256 verified)",
        };
        await output.WriteLineAsync(line);
    }
}
