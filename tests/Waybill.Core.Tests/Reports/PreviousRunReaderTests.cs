using System.Text;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Reports;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Reports;

/// <summary>The previous run is read from its own part of events.jsonl and nothing past it.</summary>
public sealed class PreviousRunReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Reading_stops_at_the_end_of_the_previous_runs_part_whatever_its_line_ends()
    {
        // Lines ending in CRLF (a file edited elsewhere) made the count of bytes read fall short of the part's size.
        var first = "{\"event\":\"job_started\",\"ts\":\"2026-12-05T06:00:00+00:00\"}\r\n"
            + "{\"event\":\"stage_finished\",\"stage\":\"01_a\",\"status\":\"success\",\"duration_seconds\":1.5}\r\n"
            + "{\"event\":\"job_finished\",\"status\":\"success\",\"duration_seconds\":2}\r\n";
        var second = "{\"event\":\"stage_finished\",\"stage\":\"02_b\",\"status\":\"failed\",\"duration_seconds\":3}\n";
        var layout = new JobLayout(_temp.Combine("job"));
        Directory.CreateDirectory(layout.LogsDir);
        File.WriteAllText(layout.EventsPath, first + second);
        var size = Encoding.UTF8.GetByteCount(first);
        var job = new JobManifest { JobId = "j", RunId = "r2", Pipeline = "p", Host = "h", WaybillVersion = "1" };
        job.Logs.Add(new FileRecord
        {
            Type = "log", Path = "logs/events.jsonl", Segments =
            [
                new LogSegment { Offset = 0, SizeBytes = size, Checksum = "x", RunId = "r1" },
                new LogSegment { Offset = size, SizeBytes = second.Length, Checksum = "y", RunId = "r2" },
            ],
        });

        var previous = PreviousRunReader.Read(layout, job, out var note);

        Assert.Null(note);
        Assert.NotNull(previous);
        Assert.Equal("r1", previous.RunId);
        Assert.Equal("success", previous.Status);
        Assert.Equal(["01_a"], previous.Stages.Keys);
    }
}
