using System.Text;
using System.Text.Json;
using Waybill.Core.IO;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Reports;

/// <summary>
/// The run before the reported one, from its part of <c>logs/events.jsonl</c>: the job manifest seals each run's part
/// (<c>logs[].run_parts</c>, with offset and run id), so only that part is read, and of it only the job and stage
/// transitions are parsed. Stage manifests keep only their latest run; events keep every run's figures.
/// </summary>
internal static class PreviousRunReader
{
    /// <summary>The previous run, or null with why there is none to compare with.</summary>
    public static PreviousRun? Read(JobLayout layout, JobManifest job, out string? note)
    {
        note = null;
        var seal = job.Logs.FirstOrDefault(l => l.Path == "logs/events.jsonl");
        var parts = seal?.Segments ?? [];
        var current = parts.FindIndex(p => p.RunId == job.RunId);
        var before = current >= 0 ? current - 1 : parts.Count - 1;
        if (before < 0 || parts[before].RunId is not { } runId || runId == job.RunId)
        {
            note = "this is the first recorded run of the job: there is no earlier run to compare with";
            return null;
        }
        var part = parts[before];
        if (part.SizeBytes > ReportLimits.PreviousEventsBytes)
        {
            note = $"the previous run's events ({part.SizeBytes:N0} bytes) are more than the report reads ({ReportLimits.PreviousEventsBytes:N0})";
            return null;
        }
        if (!File.Exists(layout.EventsPath) || new FileInfo(layout.EventsPath).Length < part.Offset + part.SizeBytes)
        {
            note = "logs/events.jsonl no longer holds the previous run's events";
            return null;
        }
        var previous = new PreviousRun { RunId = runId };
        using var stream = new FileStream(layout.EventsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(part.Offset, SeekOrigin.Begin);
        // Bounded to the part: the next run's events (a line cut at the part's end, bytes that decode differently) stay out.
        using var reader = new StreamReader(new BoundedReadStream(stream, part.SizeBytes), Encoding.UTF8,
            detectEncodingFromByteOrderMarks: false);
        while (reader.ReadLine() is { } line)
        {
            // Log events are most of the part: only transitions are parsed.
            if (!line.Contains("\"event\":\"stage_finished\"", StringComparison.Ordinal)
                && !line.Contains("\"event\":\"job_", StringComparison.Ordinal)) continue;
            Take(previous, line);
        }
        return previous;
    }

    private static void Take(PreviousRun previous, string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            var kind = Text(e, "event");
            var status = Text(e, "status");
            var duration = e.TryGetProperty("duration_seconds", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : (double?)null;
            switch (kind)
            {
                case "job_started":
                    previous.Started = e.TryGetProperty("ts", out var ts) && ts.TryGetDateTimeOffset(out var at) ? at : null;
                    break;
                case "job_finished":
                    previous.Status = status;
                    previous.DurationSeconds = duration;
                    break;
                case "stage_finished" when Text(e, "stage") is { } stage && status is not null:
                    previous.Stages[stage] = new PreviousStageRun(status, duration ?? 0, Text(e, "reason"));
                    break;
            }
        }
        catch (JsonException)
        {
            // A damaged line (verify reports it) only loses that line's figures here.
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
