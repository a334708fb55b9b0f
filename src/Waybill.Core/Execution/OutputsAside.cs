using Microsoft.Extensions.Logging;
using Waybill.Core.IO;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;

namespace Waybill.Core.Execution;

/// <summary>
/// A stage's declared outputs from before an attempt, moved into <c>.waybill/aside/NN_name/</c> while it runs: the
/// attempt starts with none of them, so an appending command starts from empty and an output it does not write is
/// "not produced". Success deletes them; any other end puts them back in place of the attempt's own files, so a failed
/// rerun loses nothing. A run killed in between leaves the folder behind, and <see cref="Recover"/> settles it.
/// </summary>
internal sealed class OutputsAside
{
    private readonly List<(string Current, string Aside)> _moved = [];
    private readonly string _folder;

    private OutputsAside(string folder) => _folder = folder;

    /// <summary>
    /// Refuses outputs that lead out of the job, then moves aside every declared output that exists (file, link or
    /// folder). Costs one lstat per output and path component when nothing is there; null when nothing was moved.
    /// </summary>
    public static OutputsAside? Prepare(StageContext context)
    {
        var (layout, stageDir, outputs) = (context.Layout, context.StageDir, context.Definition.Outputs);
        foreach (var output in outputs)
        {
            if (OutputLinks.Problem(layout, stageDir, output.Path) is { } problem)
                throw new StageFailedException($"declared output {output.Name} ({layout.RelativeToJob(Path.Combine(stageDir, output.Path))}) "
                    + $"{problem}; "
                    + "outputs are written only inside the job folder: remove the link and run again (nothing was written through it)");
        }
        OutputsAside? aside = null;
        foreach (var output in outputs)
        {
            var current = Path.GetFullPath(Path.Combine(stageDir, output.Path));
            if (PathEntry.KindOf(current) == EntryKind.Missing) continue;
            aside ??= new OutputsAside(layout.AsideDir(context.StageId));
            aside.MoveAside(current, Path.Combine(aside._folder, output.Path), context);
        }
        return aside;
    }

    private void MoveAside(string current, string target, StageContext context)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            PathEntry.Move(current, target);
            _moved.Add((current, target));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Restore(context);
            throw new StageFailedException(
                $"cannot move the previous {context.Layout.RelativeToJob(current)} aside before the stage runs: {e.Message}", e);
        }
    }

    /// <summary>The attempt succeeded: its outputs stand, the previous ones go.</summary>
    public void Discard()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing to tell (stage.log is sealed already): the manifest says success, so the next run's Recover deletes them.
        }
    }

    /// <summary>
    /// The attempt did not succeed: the previous outputs replace whatever it left at their paths, and the manifest
    /// neither records the discarded files nor claims the restored ones (they are a result of an earlier attempt).
    /// </summary>
    public void Restore(StageContext context)
    {
        var restored = new List<string>();
        try
        {
            foreach (var (current, aside) in _moved)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(current)!);
                PathEntry.Remove(current);
                PathEntry.Move(aside, current);
                restored.Add(current);
            }
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.AddError($"cannot put the previous outputs back: {e.Message}; they are kept in "
                + $"{context.Layout.RelativeToJob(_folder)}/, and the next run or resume of this job puts them back");
        }
        if (restored.Count == 0) return;
        context.Manifest.Outputs.RemoveAll(record => restored.Contains(context.FullPathOf(record), StringComparer.Ordinal));
        context.AddWarning("put back the outputs that were there before this attempt: "
            + $"{string.Join(", ", restored.Select(context.Layout.RelativeToJob))}; "
            + "they are not a result of this attempt, which this manifest records as not succeeded");
        _moved.Clear();
    }

    /// <summary>
    /// Settles what a killed attempt left in <c>.waybill/aside/</c>, for every stage of the pipeline (one directory
    /// check when there is nothing). Must run under the job's lock, before any stage starts.
    /// </summary>
    public static void RecoverAll(JobLayout layout, PipelineDefinition pipeline, ILogger log)
    {
        if (!Directory.Exists(layout.AsideRoot)) return;
        foreach (var folder in Directory.EnumerateDirectories(layout.AsideRoot).ToList())
        {
            if (pipeline.Find(Path.GetFileName(folder)) is { } stage) Recover(layout, stage, log);
            else log.LogWarning("{Folder} holds outputs of a stage this pipeline does not have; left as it is", folder);
        }
    }

    /// <summary>
    /// A stage whose manifest claims its outputs (success, or up to date) finished its attempt: the kept files are
    /// deleted. Otherwise the attempt never finished, and the kept files go back in place of whatever it left.
    /// </summary>
    public static void Recover(JobLayout layout, StageDefinition stage, ILogger log)
    {
        var folder = layout.AsideDir(stage.Id);
        if (!Directory.Exists(folder)) return;
        if (JobFolderLinks.StageFolderProblem(layout, stage.Id) is { } linked)
        {
            // Putting them back would write through the link; the stage is refused when its turn comes, and they wait here.
            log.LogWarning("Stage {Stage}: previous outputs left in {Folder}: {Reason}", stage.Id, folder, linked);
            return;
        }
        try
        {
            Settle(layout, stage, folder, log);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Running the stage now would move its current outputs over the kept ones: stop before anything changes.
            throw new JobFolderException($"cannot settle the previous outputs of {stage.Id} kept in {folder}: {e.Message}. "
                + $"Move them back into {layout.StageDir(stage.Id)} (or delete them) by hand, then run again.", e);
        }
    }

    private static void Settle(JobLayout layout, StageDefinition stage, string folder, ILogger log)
    {
        var finished = ManifestJson.TryReadStage(layout.StageManifestPath(stage.Id), out var manifest)
            && (manifest!.Status == "success" || (manifest.Status == "skipped" && manifest.ProducedBy is not null));
        if (!finished)
        {
            foreach (var output in stage.Outputs)
            {
                var aside = Path.Combine(folder, output.Path);
                if (PathEntry.KindOf(aside) == EntryKind.Missing) continue;
                var current = Path.GetFullPath(Path.Combine(layout.StageDir(stage.Id), output.Path));
                Directory.CreateDirectory(Path.GetDirectoryName(current)!);
                PathEntry.Remove(current);
                PathEntry.Move(aside, current);
            }
        }
        Directory.Delete(folder, recursive: true);
        if (finished) log.LogWarning("Stage {Stage}: deleted the previous outputs an interrupted run kept aside after the stage succeeded", stage.Id);
        else log.LogWarning("Stage {Stage}: put back the previous outputs an interrupted run had moved aside before the stage finished", stage.Id);
    }
}
