using System.Text.Json;
using Waybill.Core.Jobs;
using Waybill.Core.Lineage;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.FanOut;

namespace Waybill.Core.Reports;

/// <summary>Reads a job folder into a <see cref="RunReport"/>: manifests, samples, log excerpts, the previous run, lanes.</summary>
internal static class RunReportLoader
{
    /// <exception cref="ManifestFormatException">A manifest of the job is damaged.</exception>
    public static RunReport Load(JobLayout layout, TimeProvider time)
    {
        var job = JobJournalFile.ReadJob(layout);
        var now = time.GetUtcNow();
        var stages = job.Stages.OrderBy(s => s.StageNumber).ThenBy(s => s.StageId, StringComparer.Ordinal)
            .Select(s => (Summary: s, Manifest: ReadManifest(layout.StageManifestPath(s.StageId))))
            .ToList();
        var graph = LineageLoader.Build(job, layout.Root, stages, otherJobs: null);
        var report = new RunReport
        {
            Job = job,
            JobRoot = layout.Root,
            GeneratedUtc = now,
            Origin = job.StartedUtc,
            LineageSvg = SvgLineageRenderer.Render(LineageQuery.Whole(graph), xmlns: false),
        };
        report.Previous = PreviousRunReader.Read(layout, job, out var previousNote);
        report.PreviousNote = previousNote;
        var end = job.FinishedUtc ?? now;
        var budget = new ExcerptBudget();
        foreach (var (summary, manifest) in stages)
        {
            var ran = manifest is not null && manifest.RunId == job.RunId && manifest.ProducedBy is null && summary.CheckedByRun is null;
            var run = new ReportStageRun
            {
                Summary = summary,
                Manifest = manifest,
                Status = StatusOf(manifest is not null && ran ? manifest.Status : summary.Status),
                RanInThisRun = ran,
                FanOutStage = ItemKeys.TrySplit(summary.StageId, out var stage, out _) ? stage : null,
                Previous = report.Previous?.Stages.GetValueOrDefault(summary.StageId),
                LineageElement = graph.Find(LineageGraph.StageKey(summary.StageId)) is { } node ? SvgLineageRenderer.ElementId(node) : null,
            };
            if (ran)
            {
                run.Start = Math.Max(0, (manifest!.StartedUtc - report.Origin).TotalSeconds);
                run.End = Math.Max(run.Start.Value, ((manifest.FinishedUtc ?? end) - report.Origin).TotalSeconds);
            }
            if (manifest is not null)
            {
                AttachCurves(layout, summary.StageId, manifest, run);
                var shown = JobLayout.StageFolder(summary.StageId) + "/stage.log";
                StageLogSearch.Attach(layout.StageLogPath(summary.StageId), shown, manifest, run.Problems, budget);
            }
            else run.CurvesNote = "no samples: the stage never started";
            report.Stages.Add(run);
        }
        report.SpanSeconds = Math.Max((end - report.Origin).TotalSeconds, report.Stages.Max(s => s.End) ?? 0);
        AssignLanes(report);
        GroupFanOuts(report);
        ReadMetadata(layout, report);
        ReadSnapshot(layout, report);
        if (budget.LeftOut > 0)
            report.Notes.Add($"{budget.LeftOut:N0} warnings and errors are listed without their log excerpt: "
                + $"the report embeds at most {ReportLimits.ExcerptBudgetChars:N0} characters of log");
        return report;
    }

    private static StageManifest? ReadManifest(string path) => File.Exists(path) ? ManifestJson.ReadStage(path) : null;

    private static StageStatus StatusOf(string text)
    {
        try
        {
            return StageStatusText.Parse(text);
        }
        catch (FormatException)
        {
            return StageStatus.Pending;
        }
    }

    private static void AttachCurves(JobLayout layout, string stageId, StageManifest manifest, ReportStageRun run)
    {
        if (manifest.Resources.Samples is not { } samples)
        {
            run.CurvesNote = "no samples";
            return;
        }
        // The file lies in the stage run's folder: a name that leads elsewhere is not followed.
        if (samples.File.Length == 0 || samples.File != Path.GetFileName(samples.File) || samples.File is "." or "..")
        {
            run.CurvesNote = $"samples not drawn: resources.samples.file '{samples.File}' is not a file name in the stage's folder";
            return;
        }
        run.Curves = ResourceSampleReader.Read(Path.Combine(layout.StageDir(stageId), samples.File), out var problem);
        run.CurvesNote = problem;
    }

    private static void AssignLanes(RunReport report)
    {
        var drawn = report.Stages.Where(s => s.Start is not null).ToList();
        var (lanes, count) = LaneAssigner.Assign([.. drawn.Select(s => (s.Start!.Value, s.End!.Value))]);
        for (var i = 0; i < drawn.Count; i++) drawn[i].Lane = lanes[i];
        report.Lanes = count;
    }

    private static void GroupFanOuts(RunReport report)
    {
        var byStage = new Dictionary<string, FanOutGroup>(StringComparer.Ordinal);
        for (var i = 0; i < report.Stages.Count; i++)
        {
            var run = report.Stages[i];
            if (run.FanOutStage is not { } stage) continue;
            if (!byStage.TryGetValue(stage, out var group))
            {
                byStage[stage] = group = new FanOutGroup { StageId = stage };
                report.Groups.Add(group);
            }
            group.Items.Add(i);
            if (run.Start is null) continue;
            group.Start = Math.Min(group.Start ?? double.MaxValue, run.Start.Value);
            group.End = Math.Max(group.End ?? 0, run.End!.Value);
        }
        var drawn = report.Groups.Where(g => g.Start is not null).ToList();
        var (rows, count) = LaneAssigner.Assign([.. drawn.Select(g => (g.Start!.Value, g.End!.Value))]);
        for (var i = 0; i < drawn.Count; i++) drawn[i].Row = rows[i];
        report.GroupRows = count;
    }

    private static void ReadMetadata(JobLayout layout, RunReport report)
    {
        if (!File.Exists(layout.MetadataPath)) return;
        try
        {
            // Its length alone would pass a link to /dev/zero (a length of 0 that never ends).
            if (!IO.BoundedFileRead.TryReadAllBytes(layout.MetadataPath, ReportLimits.MetadataBytes, out var bytes))
            {
                report.Notes.Add($"metadata.json is larger than {ReportLimits.MetadataBytes >> 20} MiB (it is a few hundred bytes when "
                    + "Waybill writes it): the run's command line and overrides are not shown");
                return;
            }
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            if (root.TryGetProperty("max_parallel", out var parallel) && parallel.TryGetInt32(out var max)) report.MaxParallel = max;
            report.Overrides.AddRange(Strings(root, "overrides"));
            report.CommandLine.AddRange(Strings(root, "command_line"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report.Notes.Add($"metadata.json cannot be read ({e.Message}): the run's command line and overrides are not shown");
        }
        catch (JsonException)
        {
            report.Notes.Add("metadata.json is not valid JSON: the run's command line and overrides are not shown");
        }
    }

    private static IEnumerable<string> Strings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)
            : [];

    private static void ReadSnapshot(JobLayout layout, RunReport report)
    {
        var info = new FileInfo(layout.SnapshotPath);
        if (!info.Exists)
        {
            report.SnapshotNote = "the job has no pipeline snapshot (.waybill/pipeline.yaml): it was not run from a pipeline file";
            return;
        }
        using var stream = info.OpenRead();
        var buffer = new byte[Math.Min(info.Length, ReportLimits.SnapshotBytes)];
        stream.ReadExactly(buffer);
        report.Snapshot = System.Text.Encoding.UTF8.GetString(buffer);
        if (info.Length > ReportLimits.SnapshotBytes)
            report.SnapshotNote = $"only the first {ReportLimits.SnapshotBytes >> 10} KiB of {info.Length:N0} bytes are shown";
    }
}
