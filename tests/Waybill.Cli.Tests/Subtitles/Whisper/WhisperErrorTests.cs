using Waybill.Media.Stages.Vad;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles.Whisper;

/// <summary>Whisper's config and model problems fail the ASR stage before decoding, with the file and what to do.</summary>
public sealed class WhisperErrorTests
{
    private static async Task<string> FailsAsync(WhisperAsrRun run, params string[] set)
    {
        var result = await run.RunAsync([.. set.SelectMany(s => new[] { "--set", s })]);
        Assert.True(result.ExitCode != 0, result.All);
        Assert.Equal("failed", run.Asr["status"]!.GetValue<string>());
        Assert.DoesNotContain("recognised", run.AsrLog, StringComparison.Ordinal);
        // The manifest's error is the message in full; the console may shorten long paths.
        var error = Assert.Single(run.Asr["errors"]!.AsArray())!["message"]!.GetValue<string>();
        Assert.Contains(error, run.AsrLog, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public async Task A_truncated_model_file_is_refused_naming_the_file()
    {
        using var run = new WhisperAsrRun();
        var model = new TinyWhisperModel().WriteTo(run.Combine("ggml-cut.bin"));
        using (var stream = new FileStream(model, FileMode.Open)) stream.SetLength(stream.Length / 2);
        var output = await FailsAsync(run, "06_asr.backend=whisper", $"06_asr.model={model}");
        Assert.Contains($"Whisper model {model} ends at byte", output, StringComparison.Ordinal);
        Assert.Contains("the file is truncated", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_silero_onnx_file_as_a_whisper_model_is_refused_as_not_ggml()
    {
        using var run = new WhisperAsrRun();
        var onnx = Path.Combine(run.Models.Path, VadModelLocator.FileName);
        var output = await FailsAsync(run, "06_asr.backend=whisper", $"06_asr.model={onnx}");
        Assert.Contains($"Whisper model {onnx} is not a whisper.cpp ggml model", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ggml_file_of_another_architecture_is_refused_before_whisper_cpp_reads_it()
    {
        using var run = new WhisperAsrRun();
        var model = new TinyWhisperModel().WriteTo(run.Combine("ggml-other.bin"));
        using (var stream = new FileStream(model, FileMode.Open))
        {
            stream.Position = 4 + 6 * 4; // n_text_state, which whisper.cpp only asserts equals n_audio_state
            stream.Write(BitConverter.GetBytes(64));
        }
        var output = await FailsAsync(run, "06_asr.backend=whisper", $"06_asr.model={model}");
        Assert.Contains($"Whisper model {model} has n_audio_state 32 and n_text_state 64", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_language_whisper_does_not_know_is_refused_listing_the_known_ones()
    {
        using var run = new WhisperAsrRun();
        var model = run.Models.Add("base");
        var output = await FailsAsync(run, "language=xx", "06_asr.backend=whisper");
        Assert.Contains("language 'xx' is not one Whisper knows. Use auto (detect it) or one of: ", output, StringComparison.Ordinal);
        Assert.Contains(" de, ", output, StringComparison.Ordinal);
        Assert.True(File.Exists(model));
    }

    [Fact]
    public async Task An_unknown_model_name_lists_the_known_ones_and_a_missing_one_says_how_to_fetch_it()
    {
        using var run = new WhisperAsrRun();
        // An unknown name is refused when the pipeline is loaded: nothing runs, no job folder.
        var unknown = await run.RunAsync("--set", "06_asr.backend=whisper", "--set", "06_asr.model=huge");
        Assert.True(unknown.ExitCode == 2, unknown.All);
        Assert.False(Directory.Exists(run.Job), unknown.All);
        Assert.Contains("06_asr.model: config 'model': 'huge', which is not a Whisper model Waybill knows. Known: tiny, ", unknown.Stderr,
            StringComparison.Ordinal);
        Assert.Contains(", base.en, ", unknown.Stderr, StringComparison.Ordinal);

        var missing = await FailsAsync(run, "06_asr.backend=whisper", "06_asr.model=small.en");
        Assert.Contains($"{Path.Combine(run.Models.Path, "ggml-small.en.bin")} does not exist", missing, StringComparison.Ordinal);
        Assert.Contains("waybill models fetch whisper:small.en", missing, StringComparison.Ordinal);
    }
}
