using System.CommandLine;
using System.Globalization;
using Waybill.Core.Retention;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill clean</c>: deletes retained intermediates or a stage's outputs, leaving tombstones in the manifests.</summary>
internal static class CleanCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var outRoot = CommonOptions.Out();
        var intermediates = new Option<bool>("--intermediates") { Description = "Delete the retained intermediate files of every stage (or of --stage)" };
        var outputsOf = new Option<string?>("--outputs-of") { Description = "Delete the outputs of this stage (id or name); a later run makes them again" };
        var stage = new Option<string?>("--stage") { Description = "With --intermediates: only this stage's (id or name)" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Print what would be deleted and change nothing" };
        var command = new Command("clean", "Delete intermediates or a stage's outputs; manifests keep a tombstone of each file") { job, outRoot, intermediates, outputsOf, stage, dryRun };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var request = Request(parse.GetValue(intermediates), parse.GetValue(outputsOf), parse.GetValue(stage), parse.GetValue(dryRun));
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            if (!File.Exists(layout.JobManifestPath))
                throw new CliException($"{layout.Root} has no manifest.json: it is not a job folder or its run never started", "give the folder of a job (out/<job-id>)");
            CleanResult result;
            try
            {
                result = JobCleaner.Clean(layout, request, TimeProvider.System);
            }
            catch (CleanRefusedException e)
            {
                throw new CliException(e.Message, e.Hint);
            }
            Print(result, output, error);
            return result.Failed.Count == 0 ? ExitCodes.Success : ExitCodes.IoError;
        }));
        return command;
    }

    private static CleanRequest Request(bool intermediates, string? outputsOf, string? stage, bool dryRun)
    {
        if (intermediates == (outputsOf is not null))
            throw new CliException("say what to delete: --intermediates or --outputs-of <stage> (one of them)", "e.g. waybill clean out/<job> --intermediates --dry-run");
        if (outputsOf is not null && stage is not null)
            throw new CliException("--stage goes with --intermediates; --outputs-of names its stage itself");
        return intermediates
            ? new CleanRequest(CleanScope.Intermediates, stage, dryRun, "waybill clean --intermediates" + (stage is null ? "" : $" --stage {stage}"))
            : new CleanRequest(CleanScope.Outputs, outputsOf, dryRun, $"waybill clean --outputs-of {outputsOf}");
    }

    private static void Print(CleanResult result, TextWriter output, TextWriter error)
    {
        var c = CultureInfo.InvariantCulture;
        var verb = result.DryRun ? "would delete" : "deleted";
        foreach (var file in result.Deleted)
        {
            var detail = file.AlreadyMissing ? "already missing" : string.Create(c, $"{file.BytesFreed:N0} bytes, {file.Checksum ?? "no checksum"}");
            output.WriteLine($"{verb} {file.Path} ({detail})");
        }
        foreach (var file in result.Kept) output.WriteLine($"kept {file.Path}: {file.Why}");
        foreach (var file in result.Failed) error.WriteLine($"error: could not delete {file.Path}: {file.Error}");
        var files = result.Deleted.Count == 1 ? "1 file" : $"{result.Deleted.Count} files";
        output.WriteLine(result.DryRun
            ? string.Create(c, $"clean (dry run): {files} would be deleted, {result.BytesFreed:N0} bytes would be freed; nothing was changed")
            : string.Create(c, $"clean: {files} deleted, {result.BytesFreed:N0} bytes freed"));
    }
}
