using Waybill.Core.Pipeline;
using Waybill.Media.Audio;
using Waybill.Media.Stages.SourceSeparation;
using Waybill.Media.Tests.Demux;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.SourceSeparation;

/// <summary>04_source_separation with real ffmpeg filters and real shell commands.</summary>
public sealed class SourceSeparationStageTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly StageHarness _run;

    public SourceSeparationStageTests() => _run = new StageHarness(_temp);

    public void Dispose() => _temp.Dispose();

    private string Vocals => _run.StageDir("04_source_separation") + "/vocals.wav";

    /// <summary>16 kHz mono PCM like 01_demux writes: a 1 kHz tone over a 50 Hz hum.</summary>
    private string HummingAudio(double seconds = 3)
    {
        var path = _temp.Combine("audio with hum.wav");
        MediaFiles.Ffmpeg([
            "-f", "lavfi", "-i", $"sine=frequency=1000:sample_rate=16000:duration={seconds}",
            "-f", "lavfi", "-i", $"sine=frequency=50:sample_rate=16000:duration={seconds}",
            "-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", path,
        ]);
        return path;
    }

    private PipelineDefinition Pipeline(string audio, string? backend, string? command = null, string? filter = null) =>
        new PipelineBuilder("separation", _temp.Path)
            .Stage("04_source_separation", () => new SourceSeparationStage(), s =>
            {
                s.ExternalInput("audio", audio, "audio").Output("vocals", "vocals.wav", "audio", "wav");
                if (backend is not null) s.Config("backend", backend);
                if (command is not null) s.Config("command", command);
                if (filter is not null) s.Config("filter", filter);
            })
            .Build();

    /// <summary>Power of one frequency (Goertzel), relative.</summary>
    private static double Power(float[] samples, int rate, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / rate);
        double s1 = 0, s2 = 0;
        foreach (var x in samples)
        {
            var s0 = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / samples.Length;
    }

    private static (double Duration, double HumToTone) Analyse(string wav)
    {
        using var reader = new WavReader(wav);
        Assert.Equal((16000, 1), (reader.SampleRate, reader.Channels));
        var samples = reader.ReadRange(0, reader.FrameCount);
        return (reader.DurationSeconds, Power(samples, 16000, 50) / Power(samples, 16000, 1000));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    public async Task Backend_none_is_skipped_as_disabled(string? backend)
    {
        await _run.RunAsync(Pipeline(HummingAudio(1), backend));

        var manifest = _run.Manifest("04_source_separation");
        Assert.Equal(("skipped", "disabled"), (manifest.Status, manifest.StatusReason));
        Assert.False(File.Exists(Vocals));
    }

    [Fact]
    public async Task Backend_ffmpeg_keeps_the_duration_and_removes_the_hum()
    {
        var audio = HummingAudio();

        await _run.RunAsync(Pipeline(audio, "ffmpeg"));

        var manifest = _run.Manifest("04_source_separation");
        Assert.Equal("success", manifest.Status);
        var (inputSeconds, inputHum) = Analyse(audio);
        var (outputSeconds, outputHum) = Analyse(Vocals);
        Assert.InRange(outputSeconds, inputSeconds - 0.05, inputSeconds + 0.05);
        Assert.True(outputHum < inputHum / 4, $"hum/tone {inputHum:0.000} → {outputHum:0.000}");
        Assert.Equal(SpeechFilter.DefaultChain, manifest.Config["filter"]!.GetValue<string>());
        var output = manifest.Outputs.Single(o => o.Name == "vocals");
        Assert.Equal("ffmpeg", output.Metadata!["backend"].GetString());
        Assert.Equal(16000, output.Metadata["sample_rate"].GetInt32());
        Assert.StartsWith("ffmpeg version", manifest.ToolVersions["ffmpeg"], StringComparison.Ordinal);
        Assert.Empty(manifest.Warnings);
    }

    [Fact]
    public async Task A_bad_filter_fails_with_ffmpegs_error()
    {
        await _run.RunAsync(Pipeline(HummingAudio(1), "ffmpeg", filter: "highpass=f=100,nosuchfilter"));

        var reason = _run.Failure("04_source_separation");
        Assert.StartsWith("ffmpeg could not apply the speech filter 'highpass=f=100,nosuchfilter' to ", reason, StringComparison.Ordinal);
        Assert.Contains("nosuchfilter", reason[reason.IndexOf("(exit code", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.EndsWith("; check config 'filter'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backend_command_runs_a_real_shell_command_with_quoted_paths()
    {
        var audio = HummingAudio();

        await _run.RunAsync(Pipeline(audio, "command", command: "sox {in} {out} highpass 200 && echo separated"));

        var manifest = _run.Manifest("04_source_separation");
        Assert.Equal("success", manifest.Status);
        var (inputSeconds, inputHum) = Analyse(audio);
        var (outputSeconds, outputHum) = Analyse(Vocals);
        Assert.InRange(outputSeconds, inputSeconds - 0.05, inputSeconds + 0.05);
        Assert.True(outputHum < inputHum / 4, $"hum/tone {inputHum:0.000} → {outputHum:0.000}");
        Assert.Contains("output| separated", _run.StageLog("04_source_separation"), StringComparison.Ordinal);
        Assert.Equal("command", manifest.Outputs.Single().Metadata!["backend"].GetString());
    }

    [Fact]
    public async Task A_command_that_copies_gives_the_same_bytes()
    {
        var audio = HummingAudio(1);

        await _run.RunAsync(Pipeline(audio, "command", command: "cp {in} {out}"));

        Assert.Equal(File.ReadAllBytes(audio), File.ReadAllBytes(Vocals));
    }

    [Theory]
    [InlineData("sox {in} -r 44100 -c 2 \"$WAYBILL_OUT_VOCALS\"", "44100 Hz, 2 channels")]
    [InlineData("sox {in} -r 44100 -c 2 -b 32 -e floating-point {out}", "not 16-bit PCM WAV")]
    public async Task Output_at_another_rate_layout_or_sample_format_is_converted_to_16k_mono(string command, string convertedFrom)
    {
        var audio = HummingAudio(2);

        await _run.RunAsync(Pipeline(audio, "command", command: command));

        var manifest = _run.Manifest("04_source_separation");
        Assert.Equal("success", manifest.Status);
        var (seconds, _) = Analyse(Vocals);
        Assert.InRange(seconds, 1.95, 2.05);
        Assert.Equal(convertedFrom, manifest.Outputs.Single().Metadata!["converted_from"].GetString());
    }

    [Fact]
    public async Task A_failing_command_fails_with_its_exit_code_and_last_words()
    {
        await _run.RunAsync(Pipeline(HummingAudio(1), "command", command: "echo loading model; echo 'demucs: model htdemucs not found' >&2; exit 3"));

        var reason = _run.Failure("04_source_separation");
        Assert.StartsWith("the separation command exited with code 3: demucs: model htdemucs not found; check config 'command'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_that_writes_nothing_fails()
    {
        await _run.RunAsync(Pipeline(HummingAudio(1), "command", command: "true {in} {out}"));

        Assert.StartsWith("the separation command succeeded but wrote no vocals.wav", _run.Failure("04_source_separation"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_that_writes_something_not_audio_fails()
    {
        await _run.RunAsync(Pipeline(HummingAudio(1), "command", command: "echo done > {out}"));

        Assert.Contains("from the separator is not audio ffmpeg can read", _run.Failure("04_source_separation"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_backend_and_missing_command_fail_with_what_is_allowed()
    {
        await _run.RunAsync(Pipeline(HummingAudio(1), "demucs"));
        Assert.Equal("config 'backend' is 'demucs'; allowed: none, ffmpeg, command", _run.Failure("04_source_separation"));

        await _run.RunAsync(Pipeline(HummingAudio(1), "command", command: ""));
        Assert.StartsWith("config 'command' is empty: backend 'command' needs a command that reads {in} and writes {out}", _run.Failure("04_source_separation"), StringComparison.Ordinal);
    }

    [Fact]
    public void Placeholders_are_shell_quoted()
    {
        Assert.Equal("demucs '/tmp/a b/ü.wav' /out/vocals.wav --two-stems=vocals {x}",
            SeparationCommand.Expand("demucs {in} {out} --two-stems=vocals {x}", "/tmp/a b/ü.wav", "/out/vocals.wav"));
    }
}
