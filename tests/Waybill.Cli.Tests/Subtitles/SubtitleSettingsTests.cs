using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>Settings a built-in stage would refuse are refused when the pipeline is loaded: nothing runs, not even the demux.</summary>
public sealed class SubtitleSettingsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Runs <c>waybill subtitle</c> on a file nothing reads, since the run must stop before the first stage.</summary>
    private async Task<CliProcess.Result> Subtitle(params string[] options)
    {
        var video = _temp.Write("clip.mp4", "never read");
        var run = await CliProcess.RunAsync(_temp.Path, ["subtitle", video, "--job-id", "job", "--out", "out", .. options]);
        Assert.False(Directory.Exists(_temp.Combine("out")), "a job folder was written: " + run.All);
        Assert.True(run.ExitCode == 2, run.All);
        Assert.DoesNotContain("   at Waybill", run.All, StringComparison.Ordinal);
        return run;
    }

    [Fact]
    public async Task Openai_without_a_url_stops_before_any_stage_and_shows_how_to_set_one()
    {
        var run = await Subtitle("--asr", "openai");

        Assert.Contains("06_asr.url: config 'url': backend openai needs the base URL of an OpenAI-compatible transcription server", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--set asr.url=http://localhost:8080/v1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("waybill.yaml:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_without_a_command_line_and_a_url_that_is_not_http_are_refused()
    {
        var command = await Subtitle("--asr", "command");
        Assert.Contains("06_asr.command: config 'command': backend command needs the command line", command.Stderr, StringComparison.Ordinal);
        Assert.Contains("--set asr.command='whisperx {audio} --output_format json --output_dir {out_dir}'", command.Stderr, StringComparison.Ordinal);

        var noAudio = await Subtitle("--asr", "command", "--set", "asr.command=whisperx --output_dir {out_dir}");
        Assert.Contains("the command has no {audio} placeholder", noAudio.Stderr, StringComparison.Ordinal);

        var ftp = await Subtitle("--asr", "openai", "--set", "asr.url=ftp://host/v1");
        Assert.Contains("backend openai needs an absolute http:// or https:// URL", ftp.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_backend_lists_the_known_ones_and_every_bad_setting_is_told_at_once()
    {
        var run = await Subtitle("--set", "asr.backend=kaldi", "--set", "vad.threshold=1.5", "--set", "subtitle_generation.max_lines=0",
            "--set", "subtitle_generation.sentence_case=maybe", "--set", "asr.workers=100");

        Assert.Contains("'kaldi' is not a speech recogniser Waybill knows; known: auto, whisper, pocketsphinx, command, openai", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("05_vad.threshold: config 'threshold': 1.5 is out of range; it must be a number between 0 and 1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("11_subtitle_generation.max_lines: config 'max_lines': 0 is out of range; it must be a whole number at least 1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("config 'sentence_case': 'maybe' is not one of auto, on, off", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("06_asr.workers: config 'workers': 100 is out of range; it must be a whole number between 1 and 64", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_whisper_model_name_that_does_not_exist_and_an_unknown_task_stop_before_any_stage()
    {
        var run = await Subtitle("--asr", "whisper", "--set", "asr.model=base.fr", "--set", "asr.task=summarise");

        Assert.Contains("06_asr.model: config 'model': 'base.fr', which is not a Whisper model Waybill knows. Known: tiny,", run.Stderr,
            StringComparison.Ordinal);
        Assert.Contains("06_asr.task: config 'task': 'summarise' is not a Whisper task", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_language_for_pocketsphinx_is_refused_with_the_backends_that_can_do_it()
    {
        var run = await Subtitle("--lang", "de", "--asr", "pocketsphinx");
        Assert.Contains("PocketSphinx has only its en-us model installed, and the language is 'de'; use backend whisper, command or openai", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_reports_the_missing_url_of_the_built_in_pipeline_and_accepts_it_with_one()
    {
        var pipeline = Path.Combine(RepositoryRoot.Required, "samples", "subtitles");
        var bad = await CliProcess.RunAsync(_temp.Path, "validate", pipeline, "--set", "asr.backend=openai");
        Assert.True(bad.ExitCode == 2, bad.All);
        Assert.Contains("06_asr.url: config 'url': backend openai needs the base URL", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("--set asr.url=", bad.Stderr, StringComparison.Ordinal);

        var good = await CliProcess.RunAsync(_temp.Path, "validate", pipeline, "--set", "asr.backend=openai", "--set", "asr.url=http://localhost:9/v1");
        Assert.True(good.ExitCode == 0, good.All);
        Assert.Contains("valid", good.Stdout, StringComparison.Ordinal);
    }
}
