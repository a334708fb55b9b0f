using Waybill.Core.Jobs;
using Waybill.Core.Lineage;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Lineage;

/// <summary>Links between jobs by checksum: an external input made by another job, and an output another job read.</summary>
public sealed class CrossJobLineageTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly List<string> _warnings = [];

    public void Dispose() => _temp.Dispose();

    private string OutDir => _temp.Combine("out");

    /// <summary>Job "subs" reads a copy of the movie job's transcript from outside both jobs.</summary>
    private LineageJob SubtitleJob(string outDir, string content = "transcript text")
    {
        var job = new LineageJob(Path.Combine(outDir, "subs"));
        var copy = LineageJob.File(_temp.Combine("copies", "transcript.json"), content, name: "transcript", location: "external");
        job.Stage("01_format", [copy], [LineageJob.File("01_format/movie.srt", "subtitles")]);
        return job.Write();
    }

    private LineageGraph Load(LineageJob job, params string[] search)
    {
        var layout = new JobLayout(job.Root);
        return LineageLoader.Load(layout, new CrossJobIndex(CrossJobIndex.CandidateFolders(layout, search), _warnings.Add));
    }

    [Fact]
    public void An_external_input_with_the_checksum_of_another_jobs_output_is_linked_to_its_producer()
    {
        SampleLineageJobs.Movie(OutDir);
        var graph = Load(SubtitleJob(OutDir));

        var copy = graph.Node<FileNode>("file:" + _temp.Combine("copies", "transcript.json"));
        var link = Assert.Single(graph.Incoming(copy));
        Assert.Equal(LinkKind.ProducedByOtherJob, link.Kind);
        Assert.Equal("02_transcribe/transcript.json", link.OtherPath);
        var producer = Assert.IsType<StageNode>(link.From);
        Assert.True(producer.IsOtherJob);
        Assert.Equal(("movie", "02_transcribe", "success"), (producer.JobId, producer.StageId, producer.Status));
        Assert.Equal("job:movie/stage:02_transcribe", producer.Key);
        Assert.Empty(_warnings);
    }

    [Fact]
    public void An_output_read_by_another_job_links_downstream_to_the_reader()
    {
        var movie = SampleLineageJobs.Movie(OutDir);
        SubtitleJob(OutDir);
        var graph = Load(movie);

        var transcript = graph.Node<FileNode>("file:02_transcribe/transcript.json");
        var reader = Assert.Single(graph.Outgoing(transcript), l => l.Kind == LinkKind.ReadByOtherJob);
        Assert.Equal("job:subs/stage:01_format", reader.To.Key);
        Assert.Equal("transcript", reader.Name);
        var downstream = LineageQuery.Around(graph, graph.Find("stage:01_demux")!, LineageDirection.Downstream);
        Assert.Contains("job:subs/stage:01_format", downstream.Keys());
    }

    [Fact]
    public void A_different_checksum_is_not_linked()
    {
        SampleLineageJobs.Movie(OutDir);
        var graph = Load(SubtitleJob(OutDir, content: "edited transcript"));

        Assert.DoesNotContain(graph.Stages, s => s.IsOtherJob);
    }

    [Fact]
    public void Empty_files_are_not_linked_by_their_shared_checksum()
    {
        var empty = new LineageJob(Path.Combine(OutDir, "empty"));
        empty.Stage("01_touch", outputs: [LineageJob.File("01_touch/empty.txt", "", size: 0)]);
        empty.Write();
        var reader = new LineageJob(Path.Combine(OutDir, "reader"));
        reader.Stage("01_read", [LineageJob.File(_temp.Combine("elsewhere", "empty.txt"), "", location: "external", size: 0)]);
        reader.Write();

        Assert.DoesNotContain(Load(reader).Stages, s => s.IsOtherJob);
    }

    [Fact]
    public void Jobs_in_other_folders_are_found_only_when_searched()
    {
        var elsewhere = _temp.Combine("archive");
        SampleLineageJobs.Movie(elsewhere);
        var subs = SubtitleJob(OutDir);

        Assert.DoesNotContain(Load(subs).Stages, s => s.IsOtherJob);
        Assert.Contains(Load(subs, elsewhere).Stages, s => s.Key == "job:movie/stage:02_transcribe");
        // A job folder itself may be named too.
        Assert.Contains(Load(subs, Path.Combine(elsewhere, "movie")).Stages, s => s.Key == "job:movie/stage:02_transcribe");
    }

    [Fact]
    public void Unreadable_manifests_of_other_jobs_are_skipped_with_a_warning()
    {
        SampleLineageJobs.Movie(OutDir);
        var broken = Directory.CreateDirectory(Path.Combine(OutDir, "broken")).FullName;
        File.WriteAllText(Path.Combine(broken, "manifest.json"), "not json");
        var halfBroken = SampleLineageJobs.Movie(OutDir, "half");
        File.WriteAllText(Path.Combine(halfBroken.Root, "01_demux", "manifest.json"), "[1, 2");
        var graph = Load(SubtitleJob(OutDir));

        Assert.Contains(graph.Stages, s => s.Key == "job:movie/stage:02_transcribe");
        Assert.Contains(graph.Stages, s => s.Key == "job:half/stage:02_transcribe"); // its readable stages still count
        Assert.Equal(2, _warnings.Count);
        Assert.Contains(_warnings, w => w.Contains(broken, StringComparison.Ordinal) && w.Contains("cannot be read", StringComparison.Ordinal));
        Assert.Contains(_warnings, w => w.Contains("01_demux of job half", StringComparison.Ordinal));
    }

    [Fact]
    public void Other_jobs_are_read_only_when_a_checksum_is_looked_up()
    {
        var broken = Directory.CreateDirectory(Path.Combine(OutDir, "broken")).FullName;
        File.WriteAllText(Path.Combine(broken, "manifest.json"), "not json");
        var index = new CrossJobIndex([broken], _warnings.Add);
        Assert.Empty(_warnings);

        Assert.Empty(index.ProducersOf(LineageJob.Checksum("anything")));
        Assert.Single(_warnings);
        index.ReadersOf(LineageJob.Checksum("anything else"));
        Assert.Single(_warnings); // read once, not per lookup
    }

    [Fact]
    public void Folders_without_a_job_manifest_and_the_job_itself_are_not_candidates()
    {
        var movie = SampleLineageJobs.Movie(OutDir);
        SubtitleJob(OutDir);
        Directory.CreateDirectory(Path.Combine(OutDir, "not-a-job"));

        var candidates = CrossJobIndex.CandidateFolders(new JobLayout(movie.Root), [OutDir, movie.Root]);

        Assert.Equal([Path.Combine(OutDir, "subs")], candidates);
    }
}
