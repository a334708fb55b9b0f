using System.CommandLine;
using Waybill.Core.IO;
using Waybill.Core.Pipeline.Controls;
using Waybill.Media.Models;
using Waybill.Media.Models.Fetching;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill models list|fetch|verify|remove</c>: the models in the model folder (docs/models.md).</summary>
internal static class ModelsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("models",
            $"The models the media stages use, in the model folder ({ModelFolder.EnvironmentVariable}, default ~/.cache/waybill/models): "
            + "list, fetch (pinned SHA-256, mirrors, resumable), verify, remove (see docs/models.md)");
        command.Subcommands.Add(ModelsList.Create(output, error));
        command.Subcommands.Add(ModelsFetch.Create(output, error));
        command.Subcommands.Add(Verify(output, error));
        command.Subcommands.Add(Remove(output, error));
        return command;
    }

    /// <summary>The model folder, as every stage resolves it.</summary>
    public static string Folder() => ModelFolder.Resolve(Environment.GetEnvironmentVariable(ModelFolder.EnvironmentVariable), Environment.CurrentDirectory);

    /// <summary>The built-in models plus the registry file's (WAYBILL_MODEL_REGISTRY).</summary>
    public static ModelCatalog Catalog() => ModelCatalog.With(Environment.GetEnvironmentVariable(ModelRegistryFile.EnvironmentVariable));

    public static Argument<string[]> Ids(string description, ArgumentArity arity) => new("id") { Description = description, Arity = arity };

    /// <summary>Every id resolved before anything is done, so a typo in the third id changes nothing.</summary>
    public static List<KnownModel> Resolve(ModelCatalog catalog, IEnumerable<string> ids) => [.. ids.Select(catalog.Resolve).Distinct()];

    private static Command Verify(TextWriter output, TextWriter error)
    {
        var ids = Ids("Model ids (e.g. whisper:base.en); every known model in the folder when omitted", ArgumentArity.ZeroOrMore);
        var command = new Command("verify", "Check the SHA-256 of models in the model folder; exit 1 naming every file that does not match") { ids };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var folder = Folder();
            var catalog = Catalog();
            var named = parse.GetValue(ids) ?? [];
            var models = named.Length > 0 ? Resolve(catalog, named) : [.. catalog.Models.Where(m => File.Exists(Path.Combine(folder, m.FileName)))];
            if (models.Count == 0)
            {
                output.WriteLine($"No known model is in {folder}.");
                return ExitCodes.Success;
            }
            var failed = 0;
            foreach (var model in models)
            {
                var status = ModelFileCheck.Check(model, folder, checksum: true);
                switch (status.State)
                {
                    case ModelFileState.Verified:
                        output.WriteLine($"ok        {model.Id}  {status.Path}");
                        break;
                    case ModelFileState.Missing:
                        failed++;
                        error.WriteLine($"error: {model.Id}: {status.Path} is missing");
                        break;
                    case ModelFileState.WrongSize:
                        failed++;
                        error.WriteLine($"error: {model.Id}: {status.Path} is {status.SizeBytes:N0} bytes, not {model.SizeBytes:N0}");
                        break;
                    default:
                        failed++;
                        error.WriteLine($"error: {model.Id}: {status.Path} has SHA-256 {status.ActualSha256}, not the pinned {model.Sha256}");
                        break;
                }
            }
            if (failed == 0) return ExitCodes.Success;
            error.WriteLine($"hint: fetch {(failed == 1 ? "it" : "them")} again: waybill models fetch --force ID");
            return ExitCodes.ModelFailed;
        }));
        return command;
    }

    private static Command Remove(TextWriter output, TextWriter error)
    {
        var ids = Ids("Model ids (e.g. whisper:base.en)", ArgumentArity.OneOrMore);
        var command = new Command("remove", "Delete models from the model folder, with their partial downloads") { ids };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var folder = Folder();
            foreach (var model in Resolve(Catalog(), parse.GetValue(ids) ?? []))
            {
                var path = Path.Combine(folder, model.FileName);
                var partials = Path.Combine(folder, ModelFetcher.PartialFolderName);
                // A fetch of the model holds this lock: removing its files under it would fail the fetch halfway.
                var lockPath = Path.Combine(partials, ModelFetcher.LockFileName(model));
                using var held = !Directory.Exists(partials) ? null : ExclusiveFileLock.TryAcquire(lockPath)
                    ?? throw new ModelFetchException($"{model.Id} is being fetched by another process ({lockPath} is locked); nothing was removed",
                        "wait for the fetch to finish, then remove the model");
                var size = File.Exists(path) ? new FileInfo(path).Length : -1;
                File.Delete(path);
                var dropped = Directory.Exists(partials) ? Directory.GetFiles(partials, model.FileName + ".*.part") : [];
                foreach (var partial in dropped) File.Delete(partial);
                var extra = dropped.Length > 0 ? $" and its partial download" : "";
                output.WriteLine(size >= 0
                    ? $"Removed {model.Id}: {path} ({Quantities.FormatSize(size)}){extra}"
                    : $"{model.Id} is not in {folder}{(dropped.Length > 0 ? "; removed its partial download" : "")}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
