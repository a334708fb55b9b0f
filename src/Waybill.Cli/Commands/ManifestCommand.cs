using System.CommandLine;
using System.Globalization;
using System.Text;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill manifest</c>: one stage's manifest, readable or as raw JSON.</summary>
internal static class ManifestCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var stage = new Argument<string>("stage")
        {
            Description = "Stage id or name (06_asr, asr), an item (06_asr[ep-01]), or a fan-out stage for a line per item",
        };
        var outRoot = CommonOptions.Out();
        var json = new Option<bool>("--json")
        {
            Description = "Print the manifest.json as it is on disk (for a fan-out stage, its items' as one JSON array)",
        };
        var command = new Command("manifest", "Show a stage's manifest: inputs, outputs, config, resources, errors, warnings") { job, stage, outRoot, json };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            var paths = ManifestPaths(layout, parse.GetValue(stage)!);
            if (paths.Count > 1)
            {
                PrintItems(paths, parse.GetValue(json), output);
                return ExitCodes.Success;
            }
            var path = paths[0];
            if (parse.GetValue(json))
            {
                output.WriteLine(Encoding.UTF8.GetString(ManifestLimits.ReadBytes(path)));
                return ExitCodes.Success;
            }
            var manifest = ManifestJson.ReadStage(path);
            Describe(manifest, output);
            if (CheckedBy(layout, manifest) is { } checkedBy)
                output.WriteLine($"  found up to date by run {checkedBy} (job manifest, checked_by_run): this manifest records the run that produced it");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The later run that found the stage up to date and left this manifest as it was, if any.</summary>
    private static string? CheckedBy(JobLayout layout, StageManifest manifest)
    {
        if (!File.Exists(layout.JobManifestPath)) return null;
        var entry = JobJournalFile.ReadJob(layout).Stages.FirstOrDefault(s => s.StageId == manifest.StageId);
        return entry?.CheckedByRun is { } checkedBy && checkedBy != manifest.RunId ? checkedBy : null;
    }

    /// <summary>One stage's manifest, or those of every item that has one when a fan-out stage is named plainly.</summary>
    internal static List<string> ManifestPaths(JobLayout layout, string stage)
    {
        var refs = JobStages.Of(layout);
        var withManifests = refs.Where(s => File.Exists(layout.StageManifestPath(s.Id))).Select(s => s.Id).ToList();
        var match = JobStages.Resolve(layout, stage, $"stages with manifests: {JobStages.Few(withManifests)}");
        var paths = match.Ids.Select(layout.StageManifestPath).Where(File.Exists).ToList();
        return paths.Count > 0 ? paths
            : throw new CliException($"job {layout.JobId} has no manifest for stage '{stage}' yet: it has not run",
                $"stages with manifests: {JobStages.Few(withManifests)}");
    }

    /// <summary>
    /// A fan-out stage named plainly: one line per item (the whole manifest is one 'waybill manifest JOB stage[key]' away),
    /// or with --json the manifests as one JSON array, for jq.
    /// </summary>
    private static void PrintItems(List<string> paths, bool json, TextWriter output)
    {
        var manifests = paths.Select(ManifestJson.ReadStage).ToList();
        if (json)
        {
            output.WriteLine("[");
            for (var i = 0; i < paths.Count; i++)
                output.WriteLine(Encoding.UTF8.GetString(ManifestLimits.ReadBytes(paths[i])).TrimEnd() + (i < paths.Count - 1 ? "," : ""));
            output.WriteLine("]");
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var first = manifests.FirstOrDefault(m => m.Item is not null) ?? manifests[0];
        output.WriteLine($"{manifests.Count(m => m.Item is not null)} items; 'waybill manifest JOB {first.StageId}' shows one in full");
        output.WriteLine($"  {"ITEM",-32} {"STATUS",-10} {"DURATION",9}  {"IN",4}  {"OUT",4}  {"ERR",3}  VALUE");
        foreach (var m in manifests)
            output.WriteLine(string.Create(c, $"  {m.StageId,-32} {m.Status,-10} {m.DurationSeconds,8:0.00}s  {m.Inputs.Count,4}  ")
                + string.Create(c, $"{m.Outputs.Count,4}  {m.Errors.Count,3}  {LogText.EscapeControls(m.Item?.Value ?? "")}"));
    }

    private static void Describe(StageManifest m, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"Stage {m.StageId} ({m.Kind}) — {m.Status.ToUpperInvariant()}{(m.StatusReason is null ? "" : $": {m.StatusReason}")}");
        output.WriteLine(string.Create(c, $"  job {m.JobId}, run {m.RunId}, attempt {m.Attempt}, started {m.StartedUtc:u}, {m.DurationSeconds:0.###}s on {m.Host}"));
        if (m.Item is { } item)
            output.WriteLine($"  item {item.Key}: {LogText.EscapeControls(item.Value)}"
                + (item.Path is null ? "" : $" ({LogText.EscapeControls(item.Path)})"));
        if (m.Command is not null) output.WriteLine($"  command: {LogText.EscapeControls(m.Command)}" + (m.ExitCode is { } code ? $" (exit {code})" : ""));
        if (m.Tries is { } tries)
        {
            output.WriteLine($"  tries: {tries.Count}");
            foreach (var t in tries)
            {
                var exit = t.ExitCode is { } e ? $"exit {e}" : "-";
                var waited = t.WaitBeforeSeconds is { } wait ? string.Create(c, $" after waiting {wait:0.###}s") : "";
                output.WriteLine(string.Create(c, $"    {t.Try,-2} {t.Status,-9} {exit,-8} {t.DurationSeconds:0.###}s{waited}{(t.Error is null ? "" : "  " + t.Error)}"));
            }
        }
        Files("inputs", m.Inputs);
        Files("outputs", m.Outputs);
        Files("intermediate files", m.IntermediateFiles);
        if (m.Config.Count > 0)
        {
            output.WriteLine("  config:");
            foreach (var (key, value) in m.Config) output.WriteLine($"    {key} = {value?.ToJsonString()}");
        }
        var r = m.Resources;
        // A figure shared with other stages (an in-process stage's) is said to be shared, never shown as the stage's own.
        var cpuShared = r.Shared?.Contains("cpu") == true ? " shared with other stages" : "";
        var rssShared = r.Shared?.Contains("peak_rss") == true ? " (the engine's, shared)" : "";
        output.WriteLine(string.Create(c, $"  resources: wall {r.WallSeconds:0.###}s, cpu {r.CpuSeconds:0.###}s{cpuShared} "
            + $"(user {r.CpuUserSeconds:0.###}, sys {r.CpuSystemSeconds:0.###}), {r.CpuPercent:0.#}% cpu, "
            + $"peak rss {r.PeakRssMb:0.#} MB{rssShared}, gpu {(r.GpuUsed ? "yes" : "no")} [{r.MeasuredBy}]"));
        if (r.CodeCpuSeconds is { } codeCpu)
            output.WriteLine(string.Create(c,
                $"  stage's own code: cpu {codeCpu:0.###}s on the engine's threads (not native libraries' own threads)"));
        if (r.CgroupUnavailable is { } noCgroup) output.WriteLine($"  cgroup: unavailable: {noCgroup}");
        if (r.ReadBytes is not null || r.WriteBytes is not null)
            output.WriteLine(string.Create(c, $"  storage: read {r.ReadBytes ?? 0} bytes, written {r.WriteBytes ?? 0} bytes"));
        if (r.Samples is { } samples)
            output.WriteLine(string.Create(c, $"  samples: {samples.Count} every {samples.IntervalSeconds:0.###}s in {samples.File}"));
        if (r.Gpu is { } gpu)
        {
            output.WriteLine(gpu.Available
                ? string.Create(c, $"  gpu: {gpu.Device}, utilisation mean {gpu.UtilizationPercentMean:0.#}% "
                    + $"max {gpu.UtilizationPercentMax:0.#}%, memory peak {gpu.MemoryUsedMbPeak:0} MiB [{gpu.MeasuredBy}]")
                : $"  gpu: unavailable: {gpu.Reason}");
        }
        foreach (var (tool, version) in m.ToolVersions) output.WriteLine($"  tool {tool}: {version}");
        foreach (var w in m.Warnings) output.WriteLine($"  warning [{w.Timestamp:u}] {w.Message}");
        foreach (var e in m.Errors) output.WriteLine($"  error   [{e.Timestamp:u}] {e.Message}{(e.ExceptionType is null ? "" : $" ({e.ExceptionType})")}");

        void Files(string title, List<FileRecord> files)
        {
            output.WriteLine($"  {title}: {files.Count}");
            foreach (var f in files)
                output.WriteLine(string.Create(c, $"    {f.Name ?? "-",-12} {f.Type,-12} {LogText.EscapeControls(f.Path)}  {f.SizeBytes?.ToString(c) ?? "?"} B  {f.Checksum}{(f.FromStage is null ? "" : $"  ← {f.FromStage}.{f.FromOutput}")}{(f.Retained is { } kept ? $"  retained={kept.ToString().ToLowerInvariant()} ({f.Reason})" : "")}"));
        }
    }
}
