using Waybill.Core.Lineage;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Lineage;

/// <summary>Upstream and downstream of a file or stage, one direction or both, and --depth counted in stages.</summary>
public sealed class LineageQueryTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly LineageGraph _graph;

    public LineageQueryTests() => _graph = SampleLineageJobs.Load(SampleLineageJobs.Movie(_temp.Combine("out")));

    public void Dispose() => _temp.Dispose();

    private string Movie => "file:" + SampleLineageJobs.MoviePath(_temp.Combine("out"));

    private IReadOnlyList<string> Around(string key, LineageDirection direction, int? depth = null) =>
        [.. LineageQuery.Around(_graph, _graph.Find(key)!, direction, depth).Keys().Order(StringComparer.Ordinal)];

    [Fact]
    public void Upstream_of_a_file_is_everything_it_was_made_from()
    {
        Assert.Equal(
            new[] { "file:01_demux/audio.wav", "file:02_transcribe/transcript.json", Movie, "stage:01_demux", "stage:02_transcribe" }.Order(StringComparer.Ordinal),
            Around("file:02_transcribe/transcript.json", LineageDirection.Upstream));
    }

    [Fact]
    public void Downstream_of_a_stage_is_everything_made_from_its_work()
    {
        Assert.Equal(
            [
                "file:01_demux/audio.wav", "file:01_demux/chunks/part-001.wav", "file:02_transcribe/transcript.json", "file:02_transcribe/words.json",
                "file:03_translate/fr.json", "stage:01_demux", "stage:02_transcribe", "stage:03_translate", "stage:04_mux",
            ],
            Around("stage:01_demux", LineageDirection.Downstream));
    }

    [Fact]
    public void Both_directions_leave_out_branches_that_only_share_an_ancestor()
    {
        var around = Around("file:02_transcribe/transcript.json", LineageDirection.Both);

        Assert.Contains("stage:03_translate", around);
        Assert.Contains(Movie, around);
        // words.json and the intermediate come from the same stages but neither leads to nor comes from the transcript.
        Assert.DoesNotContain("file:02_transcribe/words.json", around);
        Assert.DoesNotContain("file:01_demux/chunks/part-001.wav", around);
        Assert.DoesNotContain("stage:04_mux", around);
    }

    [Fact]
    public void Depth_counts_stages_and_keeps_the_files_of_the_last_one()
    {
        // Depth 0 around a stage: the stage and its own files.
        Assert.Equal(
            ["file:01_demux/audio.wav", "file:02_transcribe/transcript.json", "file:02_transcribe/words.json", "stage:02_transcribe"],
            Around("stage:02_transcribe", LineageDirection.Both, depth: 0));
        // Depth 1 upstream of a file: its producer and what that producer read, no further.
        Assert.Equal(
            ["file:02_transcribe/transcript.json", "file:03_translate/fr.json", "stage:03_translate"],
            Around("file:03_translate/fr.json", LineageDirection.Upstream, depth: 1));
        Assert.Equal(
            ["file:01_demux/audio.wav", "file:02_transcribe/transcript.json", "file:03_translate/fr.json", "stage:02_transcribe", "stage:03_translate"],
            Around("file:03_translate/fr.json", LineageDirection.Upstream, depth: 2));
        Assert.Equal(["file:03_translate/fr.json"], Around("file:03_translate/fr.json", LineageDirection.Upstream, depth: 0));
    }

    [Fact]
    public void A_view_keeps_only_links_between_its_nodes()
    {
        var view = LineageQuery.Around(_graph, _graph.Find("stage:02_transcribe")!, LineageDirection.Upstream);

        Assert.All(view.Links, l => Assert.True(view.Contains(l.From) && view.Contains(l.To)));
        Assert.Equal(3, view.Links.Count); // movie → demux → audio → transcribe
        Assert.Equal(_graph.Links.Count, LineageQuery.Whole(_graph).Links.Count);
    }
}
