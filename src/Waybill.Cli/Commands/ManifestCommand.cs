using System.CommandLine;
using System.Globalization;
using System.Text;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill manifest</c>: one stage's manifest, readable or as raw JSON.</summary>
internal static class ManifestCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var stage = new Argument<string>("stage") { Description = "Stage id or name (e.g. 06_asr or asr)" };
        var outRoot = CommonOptions.Out();
        var json = new Option<bool>("--json") { Description = "Print the manifest.json as it is on disk" };
        var command = new Command("manifest", "Show a stage's manifest: inputs, outputs, config, resources, errors, warnings") { job, stage, outRoot, json };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            var path = ManifestPath(layout, parse.GetValue(stage)!);
            if (parse.GetValue(json))
            {
                output.WriteLine(Encoding.UTF8.GetString(File.ReadAllBytes(path)));
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

    internal static string ManifestPath(JobLayout layout, string stage)
    {
        var candidates = Directory.GetDirectories(layout.Root).Select(Path.GetFileName).Where(d => d is not null && File.Exists(layout.StageManifestPath(d))).ToList();
        var folder = candidates.FirstOrDefault(d => d == stage) ?? candidates.FirstOrDefault(d => d!.EndsWith("_" + stage, StringComparison.Ordinal) && char.IsAsciiDigit(d[0]));
        return folder is null
            ? throw new CliException($"job {layout.JobId} has no manifest for stage '{stage}'", $"stages with manifests: {string.Join(", ", candidates.Order(StringComparer.Ordinal))}")
            : layout.StageManifestPath(folder);
    }

    private static void Describe(StageManifest m, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"Stage {m.StageId} ({m.Kind}) — {m.Status.ToUpperInvariant()}{(m.StatusReason is null ? "" : $": {m.StatusReason}")}");
        output.WriteLine(string.Create(c, $"  job {m.JobId}, run {m.RunId}, attempt {m.Attempt}, started {m.StartedUtc:u}, {m.DurationSeconds:0.###}s on {m.Host}"));
        if (m.Command is not null) output.WriteLine($"  command: {m.Command}" + (m.ExitCode is { } code ? $" (exit {code})" : ""));
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
        output.WriteLine(string.Create(c, $"  resources: wall {r.WallSeconds:0.###}s, cpu {r.CpuSeconds:0.###}s (user {r.CpuUserSeconds:0.###}, sys {r.CpuSystemSeconds:0.###}), {r.CpuPercent:0.#}% cpu, peak rss {r.PeakRssMb:0.#} MB, gpu {(r.GpuUsed ? "yes" : "no")} [{r.MeasuredBy}]"));
        foreach (var (tool, version) in m.ToolVersions) output.WriteLine($"  tool {tool}: {version}");
        foreach (var w in m.Warnings) output.WriteLine($"  warning [{w.Timestamp:u}] {w.Message}");
        foreach (var e in m.Errors) output.WriteLine($"  error   [{e.Timestamp:u}] {e.Message}{(e.ExceptionType is null ? "" : $" ({e.ExceptionType})")}");

        void Files(string title, List<FileRecord> files)
        {
            output.WriteLine($"  {title}: {files.Count}");
            foreach (var f in files)
                output.WriteLine(string.Create(c, $"    {f.Name ?? "-",-12} {f.Type,-12} {f.Path}  {f.SizeBytes?.ToString(c) ?? "?"} B  {f.Checksum}{(f.FromStage is null ? "" : $"  ← {f.FromStage}.{f.FromOutput}")}{(f.Retained is { } kept ? $"  retained={kept.ToString().ToLowerInvariant()} ({f.Reason})" : "")}"));
        }
    }
}
