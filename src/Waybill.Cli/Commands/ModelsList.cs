using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Pipeline.Controls;
using Waybill.Media.Models;
using Waybill.Media.Models.Fetching;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill models list</c>: every known model, and what the model folder holds of it.</summary>
internal static class ModelsList
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var json = new Option<bool>("--json") { Description = "Print the models as JSON" };
        var verify = new Option<bool>("--verify") { Description = "Also check the SHA-256 of every present model (reads each file)" };
        var command = new Command("list", "List the known models: id, size, whether the model folder has them (size checked), file") { json, verify };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var folder = ModelsCommand.Folder();
            var catalog = ModelsCommand.Catalog();
            var checksum = parse.GetValue(verify);
            var statuses = catalog.Models.Select(m => ModelFileCheck.Check(m, folder, checksum)).ToList();
            var partials = Path.Combine(folder, ModelFetcher.PartialFolderName);
            if (parse.GetValue(json))
            {
                output.WriteLine(new JsonObject
                {
                    ["modelFolder"] = folder,
                    ["models"] = new JsonArray([.. statuses.Select(s => (JsonNode)Json(s, PartialBytes(partials, s.Model)))]),
                }.ToJsonString(Indented));
                return ExitCodes.Success;
            }
            var present = statuses.Count(s => s.State is ModelFileState.Present or ModelFileState.Verified);
            output.WriteLine($"Model folder {folder}: {present} of {statuses.Count} known models present");
            var rows = statuses.Select(s => new[] { s.Model.Id, Quantities.FormatSize(s.Model.SizeBytes ?? 0), State(s, PartialBytes(partials, s.Model)), s.Model.FileName })
                .Prepend(["ID", "SIZE", "STATE", "FILE"]).ToList();
            var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows) output.WriteLine(string.Join("  ", row.Select((cell, c) => c == 3 ? cell : cell.PadRight(widths[c]))).TrimEnd());
            if (statuses.Any(s => s.State is ModelFileState.WrongSize or ModelFileState.ChecksumMismatch))
                output.WriteLine("Fetch a damaged model again with: waybill models fetch --force ID");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static long PartialBytes(string partials, KnownModel model)
    {
        if (!Directory.Exists(partials)) return 0;
        return Directory.GetFiles(partials, model.FileName + ".*.part").Sum(p => new FileInfo(p).Length);
    }

    private static string State(ModelFileStatus status, long partialBytes) => status.State switch
    {
        ModelFileState.Verified => "verified",
        ModelFileState.Present => "present",
        ModelFileState.WrongSize => $"WRONG SIZE ({Quantities.FormatSize(status.SizeBytes ?? 0)})",
        ModelFileState.ChecksumMismatch => "CHECKSUM MISMATCH",
        _ when partialBytes > 0 && status.Model.SizeBytes is > 0 => $"partial {100 * partialBytes / status.Model.SizeBytes.Value}%",
        _ => "-",
    };

    private static JsonObject Json(ModelFileStatus status, long partialBytes) => new()
    {
        ["id"] = status.Model.Id,
        ["file"] = status.Model.FileName,
        ["path"] = status.Path,
        ["sizeBytes"] = status.Model.SizeBytes,
        ["sha256"] = status.Model.Sha256,
        ["source"] = status.Model.Source.ToString(),
        ["origin"] = status.Model.Origin,
        ["state"] = JsonNamingPolicy.CamelCase.ConvertName(status.State.ToString()),
        ["actualSizeBytes"] = status.SizeBytes,
        ["actualSha256"] = status.ActualSha256,
        ["partialBytes"] = partialBytes,
    };
}
