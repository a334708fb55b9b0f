using Waybill.Core.Lineage;
using Waybill.Core.Manifests;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Lineage;

/// <summary>The graph read from a job folder's manifests: stages, one node per file path, links, tombstones and statuses.</summary>
public sealed class LineageGraphTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string OutDir => _temp.Combine("out");

    [Fact]
    public void Every_stage_and_every_recorded_file_is_one_node()
    {
        var graph = SampleLineageJobs.Load(SampleLineageJobs.Movie(OutDir));

        Assert.Equal(["01_demux", "02_transcribe", "03_translate", "04_mux", "05_report"], graph.Stages.Select(s => s.StageId));
        Assert.Equal(
            new[] { SampleLineageJobs.MoviePath(OutDir), "01_demux/audio.wav", "01_demux/chunks/part-001.wav", "02_transcribe/transcript.json", "02_transcribe/words.json", "03_translate/fr.json" }.Order(StringComparer.Ordinal),
            graph.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        // audio.wav is written by 01_demux and read by two stages: still one node, with three links.
        var audio = graph.Node<FileNode>("file:01_demux/audio.wav");
        Assert.Equal(["stage:01_demux"], graph.Incoming(audio).Select(l => l.From.Key));
        Assert.Equal(["stage:02_transcribe", "stage:04_mux"], graph.Outgoing(audio).Select(l => l.To.Key));
        Assert.Equal(LineageJob.Checksum("audio samples"), audio.Checksum);
        Assert.Equal(13, audio.SizeBytes);
    }

    [Fact]
    public void Links_carry_their_kind_and_the_name_the_manifest_gives()
    {
        var graph = SampleLineageJobs.Load(SampleLineageJobs.Movie(OutDir));

        var links = graph.Links.Select(l => $"{l.From.Key} -{l.Kind}:{l.Name}-> {l.To.Key}").ToList();
        Assert.Contains($"file:{SampleLineageJobs.MoviePath(OutDir)} -Input:movie-> stage:01_demux", links);
        Assert.Contains("stage:01_demux -Output:audio-> file:01_demux/audio.wav", links);
        Assert.Contains("stage:01_demux -Intermediate:part-001-> file:01_demux/chunks/part-001.wav", links);
        Assert.Contains("file:01_demux/audio.wav -Input:audio-> stage:02_transcribe", links);
        Assert.Contains("stage:02_transcribe -Output:words-> file:02_transcribe/words.json", links);
        Assert.Equal(9, links.Count);
    }

    [Fact]
    public void External_inputs_are_file_nodes_with_their_absolute_path()
    {
        var graph = SampleLineageJobs.Load(SampleLineageJobs.Movie(OutDir));

        var movie = graph.Node<FileNode>("file:" + SampleLineageJobs.MoviePath(OutDir));
        Assert.True(movie.IsExternal);
        Assert.True(Path.IsPathRooted(movie.Path));
        Assert.False(graph.Node<FileNode>("file:01_demux/audio.wav").IsExternal);
    }

    [Fact]
    public void Retained_intermediates_are_nodes_and_dropped_ones_are_not()
    {
        var graph = SampleLineageJobs.Load(SampleLineageJobs.Movie(OutDir));

        Assert.True(graph.Node<FileNode>("file:01_demux/chunks/part-001.wav").IsIntermediate);
        Assert.Null(graph.Find("file:01_demux/tmp.raw"));
    }

    [Fact]
    public void A_deleted_file_keeps_its_checksum_and_says_when_and_why()
    {
        var graph = SampleLineageJobs.Load(SampleLineageJobs.Movie(OutDir));

        var words = graph.Node<FileNode>("file:02_transcribe/words.json");
        Assert.True(words.IsDeleted);
        Assert.Equal(LineageJob.Checksum("word timings"), words.Checksum);
        Assert.Equal("deleted 2025-11-20 (disk space)", LineageText.Tombstone(words));
        Assert.Null(LineageText.Tombstone(graph.Node<FileNode>("file:02_transcribe/transcript.json")));
    }

    [Fact]
    public void Failed_skipped_and_never_started_stages_keep_their_status()
    {
        var graph = SampleLineageJobs.Load(SampleLineageJobs.Movie(OutDir));

        Assert.Equal("failed: exit code 1, 0.4s", LineageText.State(graph.Node<StageNode>("stage:03_translate")));
        Assert.Equal("skipped: upstream failed: 03_translate", LineageText.State(graph.Node<StageNode>("stage:04_mux")));
        Assert.Equal("success, 12.5s", LineageText.State(graph.Node<StageNode>("stage:02_transcribe")));
        var report = graph.Node<StageNode>("stage:05_report");
        Assert.Equal("pending", report.Status);
        Assert.Empty(graph.Incoming(report));
        Assert.Empty(graph.Outgoing(report));
    }

    [Fact]
    public void A_damaged_manifest_of_the_job_itself_is_an_error_naming_the_file()
    {
        var job = SampleLineageJobs.Movie(OutDir);
        var manifest = Path.Combine(job.Root, "02_transcribe", "manifest.json");
        File.WriteAllText(manifest, "{ \"stage\": ");

        var error = Assert.Throws<ManifestFormatException>(() => SampleLineageJobs.Load(job));
        Assert.Equal(manifest, error.ManifestPath);
    }

    [Fact]
    public void The_producer_record_wins_when_a_reader_saw_an_older_copy()
    {
        var job = new LineageJob(Path.Combine(OutDir, "rerun"));
        var fresh = LineageJob.File("02_make/data.txt", "new content");
        var stale = LineageJob.File("02_make/data.txt", "old content!");
        stale.FromStage = "02_make";
        // Stages are read in number order, so the reader's record is met first.
        job.Stage("01_read", [stale], []);
        job.Stage("02_make", outputs: [fresh]);
        job.Write();

        var data = SampleLineageJobs.Load(job).Node<FileNode>("file:02_make/data.txt");
        Assert.Equal(LineageJob.Checksum("new content"), data.Checksum);
    }
}
