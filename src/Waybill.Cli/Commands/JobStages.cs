using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.FanOut;

namespace Waybill.Cli.Commands;

/// <summary>
/// The stage runs of a job as commands address them (<c>06_asr</c>, <c>asr</c>, <c>06_asr[ep-01]</c>, <c>asr[ep-01]</c>):
/// from the job manifest, or from the stage folders when a run never wrote one.
/// </summary>
internal static class JobStages
{
    /// <summary>The ids <paramref name="typed"/> stands for (all items of a fan-out stage named plainly), in key order.</summary>
    /// <param name="unknownHint">The hint for a name no stage has; the known stages when null.</param>
    public static StageAddressMatch Resolve(JobLayout layout, string typed, string? unknownHint = null)
    {
        var match = StageAddress.Resolve(Of(layout), typed);
        if (match.UnknownStage) throw new CliException($"job {layout.JobId} has no stage '{typed}'", unknownHint ?? match.Hint);
        if (match.Problem is not null) throw new CliException($"job {layout.JobId}: {match.Problem}", match.Hint);
        return match;
    }

    public static List<StageRef> Of(JobLayout layout)
    {
        if (File.Exists(layout.JobManifestPath))
        {
            try
            {
                // With the journal replayed: a killed run's item runs are in it before they are in manifest.json.
                return [.. JobJournalFile.ReadJob(layout).Stages.Select(s => new StageRef(s.StageId, s.Stage))];
            }
            catch (ManifestFormatException)
            {
                // A damaged job manifest still leaves the stage folders to go by.
            }
        }
        var refs = new List<StageRef>();
        foreach (var folder in Directory.GetDirectories(layout.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            if (folder is null || folder.Length < 4 || !char.IsAsciiDigit(folder[0]) || folder.IndexOf('_', StringComparison.Ordinal) < 0) continue;
            var name = folder[(folder.IndexOf('_', StringComparison.Ordinal) + 1)..];
            if (IsRecord(layout, folder)) refs.Add(new StageRef(folder, name));
            foreach (var key in Directory.GetDirectories(Path.Combine(layout.Root, folder)).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            {
                if (key is not null && ItemKeys.Problem(key) is null && IsRecord(layout, ItemKeys.RunId(folder, key)))
                    refs.Add(new StageRef(ItemKeys.RunId(folder, key), name));
            }
        }
        return refs;
    }

    /// <summary>The first few names, then "…": a hint stays one line with 100,000 items.</summary>
    public static string Few(IReadOnlyList<string> names, int count = 12) =>
        string.Join(", ", names.Take(count)) + (names.Count > count ? ", …" : "");

    private static bool IsRecord(JobLayout layout, string stageId) =>
        File.Exists(layout.StageLogPath(stageId)) || File.Exists(layout.StageManifestPath(stageId));
}
