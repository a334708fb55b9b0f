using System.Globalization;
using System.Text.Json;
using Waybill.Core.Lineage;
using Waybill.Core.Manifests;

namespace Waybill.Core.Reports;

/// <summary>
/// The report's data island: one compact JSON object the page's script draws from (short keys, seconds rounded to the
/// millisecond, absent values left out), so a report of 1,000 stages stays small. The writer's default encoder escapes
/// &lt; &gt; &amp; and quotes, so no recorded text can close the script element it sits in.
/// </summary>
internal static class RunReportJson
{
    private static readonly string[] Statuses = ["success", "failed", "skipped", "cancelled", "running", "pending"];

    public static void Write(RunReport report, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        Job(report, json);
        json.WriteStartArray("stages");
        var groupOf = new Dictionary<int, int>();
        for (var g = 0; g < report.Groups.Count; g++)
            foreach (var item in report.Groups[g].Items) groupOf[item] = g;
        for (var i = 0; i < report.Stages.Count; i++) Stage(report.Stages[i], groupOf.GetValueOrDefault(i, -1), json);
        json.WriteEndArray();
        json.WriteStartArray("groups");
        foreach (var group in report.Groups)
        {
            json.WriteStartObject();
            json.WriteString("id", group.StageId);
            json.WriteStartArray("items");
            foreach (var item in group.Items) json.WriteNumberValue(item);
            json.WriteEndArray();
            Seconds(json, "s", group.Start);
            Seconds(json, "e", group.End);
            json.WriteNumber("row", group.Row);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        Logs(report, json);
        Previous(report, json);
        Config(report, json);
        json.WriteStartArray("notes");
        foreach (var note in report.Notes) json.WriteStringValue(note);
        json.WriteEndArray();
        json.WriteStartObject("palette");
        foreach (var status in Statuses)
        {
            var (fill, stroke) = LineagePalette.Stage(status);
            json.WriteStartArray(status);
            json.WriteStringValue(fill);
            json.WriteStringValue(stroke);
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Job(RunReport report, Utf8JsonWriter json)
    {
        var job = report.Job;
        json.WriteStartObject("job");
        json.WriteString("id", job.JobId);
        json.WriteString("pipeline", job.Pipeline);
        json.WriteString("status", job.Status);
        json.WriteString("run", job.RunId);
        json.WriteString("started", job.StartedUtc.ToString("u", CultureInfo.InvariantCulture));
        Seconds(json, "duration", job.FinishedUtc is null ? report.SpanSeconds : job.DurationSeconds);
        Seconds(json, "span", report.SpanSeconds);
        json.WriteString("host", job.Host);
        json.WriteNumber("lanes", report.Lanes);
        json.WriteNumber("groupRows", report.GroupRows);
        if (report.MaxParallel is { } max) json.WriteNumber("maxParallel", max);
        if (job.Cost is { } cost) Cost(json, "cost", cost);
        json.WriteStartArray("warnings");
        foreach (var warning in job.Warnings ?? [])
        {
            json.WriteStartObject();
            json.WriteString("stage", warning.StageId);
            json.WriteString("message", warning.Message);
            if (warning.Skipped is { Count: > 0 } skipped)
            {
                json.WriteStartArray("skipped");
                foreach (var s in skipped) json.WriteStringValue(s);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Stage(ReportStageRun run, int group, Utf8JsonWriter json)
    {
        var summary = run.Summary;
        var manifest = run.Manifest;
        json.WriteStartObject();
        json.WriteString("id", summary.StageId);
        json.WriteString("name", summary.Stage);
        json.WriteString("status", run.Status.ToText());
        if (!run.RanInThisRun) json.WriteBoolean("ran", false);
        var reason = (run.RanInThisRun ? manifest?.StatusReason : null) ?? summary.StatusReason;
        if (reason is not null) json.WriteString("reason", reason);
        Seconds(json, "s", run.Start);
        Seconds(json, "e", run.End);
        json.WriteNumber("lane", run.Lane);
        json.WriteNumber("group", group);
        json.WriteNumber("warn", manifest?.Warnings.Count ?? summary.WarningCount);
        json.WriteNumber("err", manifest?.Errors.Count ?? summary.ErrorCount);
        if (run.LineageElement is { } node) json.WriteString("node", node);
        if (run.Previous is { } previous)
        {
            json.WriteStartObject("prev");
            json.WriteString("status", previous.Status);
            Seconds(json, "d", previous.DurationSeconds);
            if (previous.Reason is not null) json.WriteString("reason", previous.Reason);
            json.WriteEndObject();
        }
        if (run.CurvesNote is not null) json.WriteString("curvesNote", run.CurvesNote);
        if (run.Curves is { } curves) Curves(json, curves);
        json.WriteStartArray("problems");
        foreach (var problem in run.Problems) Problem(json, problem);
        json.WriteEndArray();
        // An up-to-date stage's manifest still gives the reasons of the run that last ran it: this run's reason is the summary's.
        json.WriteStartArray("reasons");
        foreach (var why in run.RanInThisRun ? manifest?.Reasons ?? [] : [summary.StatusReason ?? "up to date"]) json.WriteStringValue(why);
        json.WriteEndArray();
        if (manifest is not null) Manifest(json, manifest);
        json.WriteEndObject();
    }

    private static void Manifest(Utf8JsonWriter json, StageManifest manifest)
    {
        json.WriteNumber("attempt", manifest.Attempt);
        json.WriteString("kind", manifest.Kind);
        if (manifest.Command is not null) json.WriteString("cmd", manifest.Command);
        if (manifest.ExitCode is { } exit) json.WriteNumber("exit", exit);
        if (manifest.Item is { } item)
        {
            json.WriteStartObject("item");
            json.WriteString("key", item.Key);
            json.WriteString("value", item.Value);
            json.WriteEndObject();
        }
        Resources(json, manifest.Resources);
        if (manifest.Cost is { } cost) Cost(json, "cost", cost);
        json.WritePropertyName("config");
        manifest.Config.WriteTo(json);
        if (manifest.ReusedFrom is { } reused)
            json.WriteString("reused", $"job {reused.Job} stage {reused.Stage}, run {reused.Run}: {reused.Reason}");
        if (manifest.ProducedBy is { } producedBy) json.WriteString("producedBy", producedBy.RunId);
        if (manifest.Tries is { Count: > 0 } tries)
        {
            json.WriteStartArray("tries");
            foreach (var t in tries)
            {
                var exitCode = t.ExitCode is { } code ? $" (exit {code})" : "";
                var error = t.Error is null ? "" : ": " + t.Error;
                json.WriteStringValue(FormattableString.Invariant($"try {t.Try}: {t.Status}{exitCode}, {t.DurationSeconds:0.###} s{error}"));
            }
            json.WriteEndArray();
        }
    }

    private static void Resources(Utf8JsonWriter json, ResourceUsage usage)
    {
        json.WriteStartObject("res");
        Number(json, "cpu", usage.CpuSeconds);
        Number(json, "cpuPct", usage.CpuPercent);
        Number(json, "rss", usage.PeakRssMb);
        if (usage.CodeCpuSeconds is { } code) Number(json, "codeCpu", code);
        if (usage.PeakRssUpperBound == true) json.WriteBoolean("rssUpper", true);
        if (usage.ReadBytes is { } read) json.WriteNumber("read", read);
        if (usage.WriteBytes is { } write) json.WriteNumber("write", write);
        if (usage.Gpu is { } gpu) json.WriteString("gpu", Gpu(gpu));
        else if (usage.GpuUsed) json.WriteString("gpu", "used");
        if (usage.MeasuredBy is not null) json.WriteString("by", usage.MeasuredBy);
        // Figures that are the engine's, not the stage's (an in-process stage): the page labels them as shared.
        if (usage.Shared is { Count: > 0 } shared)
        {
            json.WriteStartArray("shared");
            foreach (var figure in shared) json.WriteStringValue(figure);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    private static string Gpu(GpuUsage gpu) => gpu.Available
        ? string.Join(", ", new[]
        {
            gpu.Device,
            gpu.UtilizationPercentMean is { } mean ? FormattableString.Invariant($"mean {mean:0.#} %") : null,
            gpu.UtilizationPercentMax is { } max ? FormattableString.Invariant($"max {max:0.#} %") : null,
            gpu.MemoryUsedMbPeak is { } memory ? FormattableString.Invariant($"peak memory {memory:0.#} MB") : null,
        }.Where(part => part is not null))
        : "not measured" + (gpu.Reason is null ? "" : ": " + gpu.Reason);

    private static void Cost(Utf8JsonWriter json, string name, StageCost cost)
    {
        json.WriteStartObject(name);
        json.WriteString("currency", cost.Currency);
        Number(json, "total", cost.Total, 6);
        json.WriteStartArray("lines");
        foreach (var line in cost.Lines)
        {
            json.WriteStartArray();
            json.WriteStringValue(line.Unit);
            json.WriteNumberValue(Math.Round(line.Quantity, 6));
            json.WriteNumberValue(Math.Round(line.Rate, 6));
            json.WriteNumberValue(Math.Round(line.Amount, 6));
            if (line.Source is null) json.WriteNullValue();
            else json.WriteStringValue(line.Source);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// Each curve as its peak and a string of 2 characters per point: the value as a share of the peak in 4,096 steps,
    /// base64url ("~~" where the sampler had no figure). A chart 170 pixels wide needs no more; plain JSON numbers made
    /// the report of 1,000 stages with 240 samples each 7.8 MB, this makes their curves about 1 KB a stage.
    /// </summary>
    private static void Curves(Utf8JsonWriter json, ResourceCurves curves)
    {
        json.WriteStartObject("curves");
        json.WriteNumber("rows", curves.Rows);
        json.WriteNumber("n", curves.Elapsed.Count);
        Series(json, "t", [.. curves.Elapsed.Select(t => (double?)t)]);
        Series(json, "cpu", curves.CpuPercent);
        Series(json, "rss", curves.RssMb);
        Series(json, "rd", curves.ReadRate);
        Series(json, "wr", curves.WriteRate);
        Series(json, "gpu", curves.GpuPercent);
        Series(json, "gmem", curves.GpuMemoryMb);
        json.WriteEndObject();
    }

    private const string Base64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static void Series(Utf8JsonWriter json, string name, List<double?> values)
    {
        if (values.All(v => v is null)) return;
        var peak = values.Max(v => v ?? 0);
        var text = new char[values.Count * 2];
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is not { } v)
            {
                text[2 * i] = text[(2 * i) + 1] = '~';
                continue;
            }
            var step = peak <= 0 ? 0 : (int)Math.Round(Math.Clamp(v / peak, 0, 1) * 4095);
            text[2 * i] = Base64Url[step >> 6];
            text[(2 * i) + 1] = Base64Url[step & 63];
        }
        json.WriteStartArray(name);
        json.WriteNumberValue(Math.Round(peak, 3));
        json.WriteStringValue(text);
        json.WriteEndArray();
    }

    private static void Problem(Utf8JsonWriter json, ReportProblem problem)
    {
        json.WriteStartObject();
        if (problem.IsError) json.WriteBoolean("err", true);
        json.WriteString("ts", problem.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("msg", problem.Message);
        if (problem.Exception is { } exception)
            json.WriteString("exc", exception.Length <= 4000 ? exception : exception[..4000] + $"… ({exception.Length - 4000:N0} more characters)");
        if (problem.Excerpt is { } excerpt) json.WriteNumber("log", excerpt.Id);
        json.WriteEndObject();
    }

    private static void Logs(RunReport report, Utf8JsonWriter json)
    {
        json.WriteStartArray("logs");
        var excerpts = report.Stages.SelectMany(s => s.Problems).Where(p => p.Excerpt is not null).OrderBy(p => p.Excerpt!.Id);
        foreach (var problem in excerpts)
        {
            var excerpt = problem.Excerpt!;
            json.WriteStartObject();
            json.WriteString("path", excerpt.LogPath);
            json.WriteNumber("first", excerpt.FirstLine);
            json.WriteNumber("hit", excerpt.Hit);
            if (!problem.IsError) json.WriteBoolean("warn", true);
            if (excerpt.CountedFrom is not null) json.WriteString("from", excerpt.CountedFrom);
            json.WriteStartArray("lines");
            foreach (var line in excerpt.Lines) json.WriteStringValue(line);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void Previous(RunReport report, Utf8JsonWriter json)
    {
        if (report.Previous is { } previous)
        {
            json.WriteStartObject("previous");
            json.WriteString("run", previous.RunId);
            if (previous.Started is { } started) json.WriteString("started", started.ToString("u", CultureInfo.InvariantCulture));
            if (previous.Status is not null) json.WriteString("status", previous.Status);
            Seconds(json, "d", previous.DurationSeconds);
            json.WriteEndObject();
        }
        else json.WriteNull("previous");
        if (report.PreviousNote is not null) json.WriteString("previousNote", report.PreviousNote);
    }

    private static void Config(RunReport report, Utf8JsonWriter json)
    {
        json.WriteStartObject("config");
        json.WriteStartArray("command");
        foreach (var part in report.CommandLine) json.WriteStringValue(part);
        json.WriteEndArray();
        json.WriteStartArray("overrides");
        foreach (var o in report.Overrides) json.WriteStringValue(o);
        json.WriteEndArray();
        if (report.Snapshot is not null) json.WriteString("snapshot", report.Snapshot);
        if (report.SnapshotNote is not null) json.WriteString("snapshotNote", report.SnapshotNote);
        json.WriteEndObject();
    }

    private static void Seconds(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v) json.WriteNumber(name, Math.Round(v, 3));
    }

    private static void Number(Utf8JsonWriter json, string name, double value, int digits = 3) => json.WriteNumber(name, Math.Round(value, digits));
}
