using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>How <c>waybill subtitle</c> reads several videos and folders, and what it refuses before a job exists.</summary>
public sealed class SeasonInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private Task<CliProcess.Result> Subtitle(params string[] videos) =>
        CliProcess.RunAsync(_temp.Path, ["subtitle", .. videos, "--job-id", "job", "--out", "out", "--jobs", "2"]);

    private string JobFile(params string[] parts) => _temp.Combine(["out", "job", .. parts]);

    [Fact]
    public async Task A_folder_is_a_season_of_its_video_files_and_a_second_run_finds_every_stage_up_to_date()
    {
        SeasonVideo.Make(_temp.Combine("season", "Finale.mp4"), "Good night.");
        _temp.Write("season/notes.txt", "not a video\n");
        _temp.Write("season/.Finale.mp4.part", "a download in progress\n");
        SeasonVideo.Broken(_temp.Combine("season", ".hidden.mp4"));

        var run = await Subtitle(_temp.Combine("season"));
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(["finale"], Directory.GetDirectories(JobFile("01_demux")).Select(Path.GetFileName));
        Assert.Contains("Videos:       1 of 1 subtitled", run.Stdout, StringComparison.Ordinal);
        Assert.NotEmpty(Srt.Parse(JobFile("11_subtitle_generation", "finale", "subtitles.srt")));
        Assert.True(File.Exists(JobFile("12_mux", "finale", "Finale.subtitled.mp4")), run.All);
        JobAssert.ManifestsAreValid(JobFile());

        var again = await Subtitle(_temp.Combine("season"));
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Matches(@"\nfinale +success +12/12 +1 ", again.Stdout);
        Assert.Contains("Video finale:", again.Stdout, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("out", "job", "12_mux", "finale", "Finale.subtitled.mp4"), again.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("▶ Stage", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("Stage mux:finale: SKIPPED (up to date)", again.Stdout, StringComparison.Ordinal);

        // The snapshot lists the videos under the first stage's foreach, so resume runs the same season.
        var snapshot = File.ReadAllText(JobFile(".waybill", "pipeline.yaml"));
        Assert.Contains($"- \"{_temp.Combine("season", "Finale.mp4")}\"", snapshot, StringComparison.Ordinal);
        var resume = await CliProcess.RunAsync(_temp.Path, "resume", "job", "--out", "out");
        Assert.True(resume.ExitCode == 0, resume.All);
        Assert.Contains("12_mux[finale]", resume.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Videos_whose_keys_collide_are_refused_up_front_with_every_problem_named()
    {
        var first = _temp.Write("a/Episode 01.mp4", "");
        var second = _temp.Write("b/episode-01.mkv", "");
        var run = await Subtitle(first, second, _temp.Combine("nowhere.mp4"));
        Directory.CreateDirectory(_temp.Combine("empty"));
        Directory.CreateDirectory(_temp.Combine("odd"));
        // A name that is not UTF-8 (byte 0xFF), as a Latin-1 file system or an old archive leaves them.
        Tool.Run("sh", "-c", "printf x > \"$1/bad$(printf '\\377').mp4\"", "sh", _temp.Combine("odd"));
        CliProcess.Result again;
        try
        {
            again = await Subtitle(first, _temp.Combine("empty"), _temp.Combine("odd"));
        }
        finally
        {
            // .NET cannot delete a file by a name it cannot decode: the shell that made it removes it.
            Tool.Run("sh", "-c", "rm -f \"$1\"/bad*.mp4", "sh", _temp.Combine("odd"));
        }

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"videos '{first}' and '{second}' both get the key 'episode-01'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("rename the file", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"video not found: {_temp.Combine("nowhere.mp4")}", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains($"no video files in {_temp.Combine("empty")} (looked for .mkv, .mp4", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("bad\uFFFD.mp4': the name is not valid UTF-8 (rename it, e.g. with convmv)", again.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(JobFile()));
    }
}
