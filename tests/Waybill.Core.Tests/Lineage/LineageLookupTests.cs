using Waybill.Core.Lineage;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Lineage;

/// <summary>Naming the focus: a stage by id or name, a file by recorded, absolute or current-folder-relative path; close matches otherwise.</summary>
public sealed class LineageLookupTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly LineageJob _job;
    private readonly LineageGraph _graph;

    public LineageLookupTests()
    {
        _job = SampleLineageJobs.Movie(_temp.Combine("out"));
        _graph = SampleLineageJobs.Load(_job);
    }

    public void Dispose() => _temp.Dispose();

    private string? Find(string text, string? currentDirectory = null) => LineageLookup.Find(_graph, text, currentDirectory ?? _temp.Path)?.Key;

    [Fact]
    public void A_stage_by_id_or_by_name()
    {
        Assert.Equal("stage:02_transcribe", Find("02_transcribe"));
        Assert.Equal("stage:02_transcribe", Find("transcribe"));
    }

    [Fact]
    public void A_file_by_its_recorded_path_absolute_path_or_path_from_the_current_folder()
    {
        Assert.Equal("file:02_transcribe/transcript.json", Find("02_transcribe/transcript.json"));
        Assert.Equal("file:02_transcribe/transcript.json", Find("./02_transcribe/transcript.json"));
        Assert.Equal("file:02_transcribe/transcript.json", Find(Path.Combine(_job.Root, "02_transcribe", "transcript.json")));
        Assert.Equal("file:02_transcribe/transcript.json", Find(Path.Combine("out", "movie", "02_transcribe", "transcript.json"), _temp.Path));
        Assert.Equal("file:02_transcribe/transcript.json", Find("transcript.json", Path.Combine(_job.Root, "02_transcribe")));
        Assert.Equal("file:" + SampleLineageJobs.MoviePath(_temp.Combine("out")), Find(Path.Combine("media", "movie.mp4"), _temp.Path));
    }

    [Fact]
    public void An_unknown_name_finds_nothing_and_close_matches_are_offered()
    {
        Assert.Null(Find("02_transcrib"));
        Assert.Equal("02_transcribe", LineageLookup.CloseMatches(_graph, "02_transcrib")[0]);
        Assert.Contains("01_demux/audio.wav", LineageLookup.CloseMatches(_graph, "audio.wv"));
        Assert.Contains("02_transcribe/transcript.json", LineageLookup.CloseMatches(_graph, "transcript"));
        Assert.Empty(LineageLookup.CloseMatches(_graph, "qqqqqqqqqqqqqqqq"));
    }
}
