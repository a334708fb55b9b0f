using Waybill.Media.Model;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles.Whisper;

/// <summary>backend auto across runs, and what language auto and task translate leave in the records.</summary>
public sealed class WhisperAutoTests
{
    [Fact]
    public async Task Auto_falls_back_to_pocketsphinx_saying_how_to_get_whisper_and_a_model_fetched_later_reruns_asr_with_the_reason()
    {
        using var run = new WhisperAsrRun();
        var first = await run.RunAsync();
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Equal("pocketsphinx", run.Asr["resources"]!["backend"]!.GetValue<string>());
        Assert.Equal(("pocketsphinx", "auto"), (run.Asr["config"]!["backend"]!.GetValue<string>(), run.Asr["config"]!["requested_backend"]!.GetValue<string>()));
        Assert.Contains("ASR backend auto: pocketsphinx", first.All, StringComparison.Ordinal);
        Assert.Contains("waybill models fetch whisper:base.en", first.All, StringComparison.Ordinal);
        Assert.Contains("Speech:       pocketsphinx", first.Stdout, StringComparison.Ordinal);
        Assert.Equal("ggml models:", run.Asr["tool_versions"]!["whisper_models"]!.GetValue<string>());

        // Unchanged: up to date (the pipeline's tool whisper_models lists the folder's models again).
        var again = await run.RunAsync();
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Equal(1, run.Asr["attempt"]!.GetValue<int>());

        // An English-only model appears in the folder: the stage runs again, says why, and uses it.
        var model = run.Models.Add("tiny.en", new Waybill.Tests.Support.TinyWhisperModel { Multilingual = false });
        var fetched = await run.RunAsync();
        Assert.True(fetched.ExitCode == 0, fetched.All);
        Assert.Equal("whisper", run.Asr["resources"]!["backend"]!.GetValue<string>());
        Assert.Contains(run.Asr["reasons"]!.AsArray(), r => r!.GetValue<string>().StartsWith("tool whisper_models ", StringComparison.Ordinal)
            && r.GetValue<string>().Contains("ggml-tiny.en.bin", StringComparison.Ordinal));
        Assert.Equal("ggml models: ggml-tiny.en.bin", run.Asr["tool_versions"]!["whisper_models"]!.GetValue<string>());
        Assert.False(run.Asr["inputs"]!.AsArray().Single(i => i!["name"]?.GetValue<string>() == "whisper_model")!["multilingual"]!.GetValue<bool>());

        // The same file name with other weights: the checksum catches it.
        new Waybill.Tests.Support.TinyWhisperModel { Multilingual = false, Seed = 7 }.WriteTo(model);
        var changed = await run.RunAsync();
        Assert.True(changed.ExitCode == 0, changed.All);
        Assert.Contains(run.Asr["reasons"]!.AsArray(), r => r!.GetValue<string>().StartsWith($"input {model} changed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_job_reuses_a_cached_whisper_result_only_while_the_model_folder_holds_the_same_models()
    {
        using var run = new WhisperAsrRun();
        run.Models.Add("tiny");
        var first = await run.RunJobAsync("first", cache: true);
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Equal("whisper", run.AsrOf("first")["resources"]!["backend"]!.GetValue<string>());

        var second = await run.RunJobAsync("second", cache: true);
        Assert.True(second.ExitCode == 0, second.All);
        Assert.StartsWith("cache hit: same fingerprint as job first stage 06_asr", run.AsrOf("second")["status_reason"]?.GetValue<string>() ?? "", StringComparison.Ordinal);
        Assert.Contains("Speech:       whisper (ggml-tiny.bin)", second.Stdout, StringComparison.Ordinal);

        // A better model fetched since: auto would choose it, so the cached result is not reused.
        run.Models.Add("base.en", new Waybill.Tests.Support.TinyWhisperModel { Multilingual = false });
        var third = await run.RunJobAsync("third", cache: true);
        Assert.True(third.ExitCode == 0, third.All);
        Assert.Equal("success", run.AsrOf("third")["status"]!.GetValue<string>());
        Assert.Null(run.AsrOf("third")["status_reason"]);
        Assert.EndsWith("ggml-base.en.bin", run.AsrOf("third")["config"]!["model_path"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Language_auto_is_detected_once_and_recorded_in_the_manifest_and_the_transcript()
    {
        using var run = new WhisperAsrRun();
        var model = run.Models.Add("base");
        var result = await run.RunAsync("--lang", "auto", "--asr", "whisper");
        Assert.True(result.ExitCode == 0, result.All);
        var segments = run.Asr["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "segments")!;
        var detected = segments["detected_language"]!.GetValue<string>();
        Assert.Matches("^[a-z]{2,3}$", detected);
        Assert.InRange(segments["language_probability"]!.GetValue<double>(), 0, 1);
        Assert.Equal(detected, segments["language"]!.GetValue<string>());
        Assert.Equal(detected, MediaJson.Read<Transcript>(System.IO.Path.Combine(run.Job, "06_asr", "segments.json")).Language);
        Assert.Contains("detected language " + detected, run.AsrLog, StringComparison.Ordinal);
        Assert.Equal(model, run.Asr["config"]!["model_path"]!.GetValue<string>());
    }

    [Fact]
    public async Task Task_translate_is_accepted_recorded_and_leaves_an_english_transcript()
    {
        using var run = new WhisperAsrRun();
        var model = run.Models.Add("custom");
        var result = await run.RunAsync("--lang", "de", "--set", "06_asr.backend=whisper", "--set", $"06_asr.model={model}", "--set", "06_asr.task=translate");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal("translate", run.Asr["config"]!["task"]!.GetValue<string>());
        Assert.Equal("de", run.Asr["config"]!["language"]!.GetValue<string>());
        Assert.Equal("en", MediaJson.Read<Transcript>(System.IO.Path.Combine(run.Job, "06_asr", "segments.json")).Language);
    }
}
