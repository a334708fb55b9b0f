using Waybill.Core.Manifests;
using Waybill.Media.Audio;
using Waybill.Media.Model;
using Xunit;

namespace Waybill.Media.Tests.Asr;

/// <summary>
/// The command backend really spawns a program: small scripts that take the arguments whisperx and whisper-cli take,
/// check them, and write JSON as those tools do.
/// </summary>
public sealed class CommandBackendTests : IDisposable
{
    private readonly AsrJob _job = new();
    private readonly string _audio;
    private readonly List<SpeechSegment> _speech = [new(0.8, 3.6, 0.9), new(4.4, 7.2, 0.9)];

    public CommandBackendTests()
    {
        _audio = Path.Combine(_job.Folder, "audio.wav");
        using var writer = new WavWriter(_audio, 16000);
        writer.WriteSilence(16000 * 10);
    }

    public void Dispose() => _job.Dispose();

    /// <summary>Recorded WhisperX output for the audio: the second segment has a number it could not align, and a word after the speech.</summary>
    private const string WhisperXJson = """
        {"segments": [
          {"start": 0.912, "end": 3.301, "text": " She was looking for her keys.",
           "words": [{"word": "She", "start": 0.912, "end": 1.052, "score": 0.873}, {"word": "was", "start": 1.092, "end": 1.253, "score": 0.912},
                     {"word": "looking", "start": 1.293, "end": 1.734, "score": 0.954}, {"word": "for", "start": 1.774, "end": 1.915, "score": 0.801},
                     {"word": "her", "start": 1.955, "end": 2.095, "score": 0.777}, {"word": "keys.", "start": 2.156, "end": 3.301, "score": 0.902}]},
          {"start": 4.5, "end": 8.9, "text": " It was 1990, I think. Thanks.",
           "words": [{"word": "It", "start": 4.5, "end": 4.62, "score": 0.81}, {"word": "was", "start": 4.66, "end": 4.9, "score": 0.88},
                     {"word": "1990,"}, {"word": "I", "start": 5.9, "end": 6.0, "score": 0.7}, {"word": "think.", "start": 6.04, "end": 6.5, "score": 0.93},
                     {"word": "Thanks.", "start": 8.4, "end": 8.9, "score": 0.41}]}
        ],
        "word_segments": [], "language": "en"}
        """;

    private string Script(string name, string body)
    {
        var path = Path.Combine(_job.Folder, name);
        File.WriteAllText(path, "#!/bin/bash\nset -eu\n" + body);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // The scratch folder's name has a space: quoted, as a user would quote such a path in the command.
        return "'" + path + "'";
    }

    /// <summary>Like the whisperx CLI: <c>whisperx AUDIO --model M --language L --output_format json --output_dir DIR</c>.</summary>
    private string FakeWhisperX() => Script("whisperx", $$"""
        audio="$1"; shift
        while [ $# -gt 0 ]; do
          case "$1" in
            --model) model="$2"; shift 2 ;;
            --language) language="$2"; shift 2 ;;
            --output_format) [ "$2" = json ] || { echo "unsupported format $2" >&2; exit 2; }; shift 2 ;;
            --output_dir) out="$2"; shift 2 ;;
            *) echo "whisperx: error: unrecognized arguments: $1" >&2; exit 2 ;;
          esac
        done
        [ -f "$audio" ] || { echo "no such file: $audio" >&2; exit 1; }
        [ -d "$out" ] || { echo "no output dir: $out" >&2; exit 1; }
        echo "Performing transcription... (model $model, language $language)" >&2
        printf '%s\n' "$audio" "$model" "$language" > "$out/../args.txt"
        base=$(basename "$audio"); base="${base%.*}"
        cat > "$out/$base.json" <<'JSON'
        {{WhisperXJson}}
        JSON
        """);

    [Fact]
    public async Task Reads_WhisperX_json_and_gives_each_VAD_segment_its_words()
    {
        var config = new Dictionary<string, object?>
        {
            ["backend"] = "command",
            ["model"] = "large-v2",
            ["command"] = FakeWhisperX() + " {audio} --model {model} --language {language} --output_format json --output_dir {out_dir}",
        };
        await _job.RunAsync(_audio, _speech, config, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, _job.Stage.Status);

        // The script got the real paths (with spaces and non-ASCII letters) as single arguments.
        var args = File.ReadAllLines(Path.Combine(_job.StageDir, ".cache", "args.txt"));
        Assert.Equal([_audio, "large-v2", "en"], args);

        var transcript = _job.Transcript;
        Assert.Equal("command", transcript.Backend);
        Assert.Equal(2, transcript.Segments.Count);
        var first = transcript.Segments[0];
        Assert.Equal("She was looking for her keys.", first.Text);
        Assert.Equal((0.8, 3.6), (first.Start, first.End));
        Assert.Equal(new Word("She", 0.912, 1.052, 0.873), first.Words[0]);
        Assert.Equal(Math.Round((0.873 + 0.912 + 0.954 + 0.801 + 0.777 + 0.902) / 6, 4), first.Confidence);

        // "1990," had no times: placed between "was" and "I"; "Thanks." lies after the speech and joins the nearest segment.
        var second = transcript.Segments[1];
        Assert.Equal("It was 1990, I think. Thanks.", second.Text);
        var year = Assert.Single(second.Words, w => w.Text == "1990,");
        Assert.Equal((4.9, 5.9, 0.0), (year.Start, year.End, year.Confidence));
        Assert.Equal(8.9, second.End);
        Assert.Equal(4.4, second.Start);

        var summary = _job.Summary;
        Assert.Equal("She was looking for her keys. It was 1990, I think. Thanks.", summary.Text);
        Assert.Equal(12, summary.WordCount);
        Assert.Equal("large-v2", summary.Model);

        var manifest = _job.Stage.Manifest;
        Assert.Equal("whisperx", manifest.Resources.Extra!["command_output_format"].GetString());
        Assert.Contains(manifest.Warnings, w => w.Message.StartsWith("1 words came without times", StringComparison.Ordinal));
        var raw = Assert.Single(manifest.IntermediateFiles);
        Assert.EndsWith(".cache/command/audio.json", raw.Path);
        Assert.True(raw.Retained);
        Assert.Equal(1, Assert.Single(manifest.Outputs, o => o.Name == "segments").Metadata!["words_outside_speech"].GetInt32());
        Assert.Contains("Performing transcription... (model large-v2, language en)", _job.StageLog);
        Assert.Contains("1 words lie outside every speech segment", _job.StageLog);
    }

    [Fact]
    public async Task Reads_whisper_cpp_json_with_tokens_and_without()
    {
        // Like whisper-cli: -m MODEL -f AUDIO -l LANG -oj [-ojf] -of BASE writes BASE.json; times in milliseconds.
        var cli = Script("whisper-cli", """
            full=no
            while [ $# -gt 0 ]; do
              case "$1" in
                -m) model="$2"; shift 2 ;;
                -f) audio="$2"; shift 2 ;;
                -l) language="$2"; shift 2 ;;
                -oj) shift ;;
                -ojf) full=yes; shift ;;
                -of) base="$2"; shift 2 ;;
                *) echo "error: unknown argument: $1" >&2; exit 1 ;;
              esac
            done
            [ -f "$audio" ] || { echo "error: input file not found '$audio'" >&2; exit 2; }
            [ -n "$model" ] || { echo "error: no model" >&2; exit 2; }
            [ "$language" = en ] || { echo "error: unknown language '$language'" >&2; exit 2; }
            if [ $full = yes ]; then
            cat > "$base.json" <<'JSON'
            {"systeminfo": "AVX = 1", "model": {"type": "base"}, "params": {"language": "en"}, "result": {"language": "en"},
             "transcription": [
              {"timestamps": {"from": "00:00:00,900", "to": "00:00:03,300"}, "offsets": {"from": 900, "to": 3300}, "text": " Hello there, general Kenobi.",
               "tokens": [{"text": "[_BEG_]", "offsets": {"from": 900, "to": 900}, "id": 50364, "p": 0.9},
                          {"text": " Hello", "offsets": {"from": 900, "to": 1300}, "id": 2425, "p": 0.8},
                          {"text": " there", "offsets": {"from": 1300, "to": 1700}, "id": 456, "p": 0.6},
                          {"text": ",", "offsets": {"from": 1700, "to": 1750}, "id": 11, "p": 0.4},
                          {"text": " general", "offsets": {"from": 1800, "to": 2300}, "id": 2674, "p": 0.7},
                          {"text": " Ken", "offsets": {"from": 2350, "to": 2700}, "id": 8709, "p": 0.5},
                          {"text": "obi", "offsets": {"from": 2700, "to": 3100}, "id": 13392, "p": 0.9},
                          {"text": ".", "offsets": {"from": 3100, "to": 3300}, "id": 13, "p": 0.6},
                          {"text": "[_TT_150]", "offsets": {"from": 3300, "to": 3300}, "id": 50514, "p": 0.2}]}]}
            JSON
            else
            cat > "$base.json" <<'JSON'
            {"transcription": [
              {"timestamps": {"from": "00:00:04,400", "to": "00:00:07,200"}, "offsets": {"from": 4400, "to": 7200}, "text": " You are a bold one."}]}
            JSON
            fi
            """);

        var config = new Dictionary<string, object?>
        {
            ["backend"] = "command",
            ["model"] = "/models/ggml base.bin",
            ["command"] = cli + " -m {model} -f {audio} -l {language} -oj -ojf -of {out_base}",
        };
        await _job.RunAsync(_audio, _speech, config, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, _job.Stage.Status);
        var segment = Assert.Single(_job.Transcript.Segments);
        Assert.Equal("Hello there, general Kenobi.", segment.Text);
        Assert.Equal(
            [new Word("Hello", 0.9, 1.3, 0.8), new Word("there,", 1.3, 1.75, 0.5), new Word("general", 1.8, 2.3, 0.7), new Word("Kenobi.", 2.35, 3.3, 0.6667)],
            segment.Words);
        Assert.Equal("whisper.cpp", _job.Stage.Manifest.Resources.Extra!["command_output_format"].GetString());
        Assert.Empty(_job.Stage.Manifest.Warnings);

        using var plain = new AsrJob();
        config["command"] = cli + " -m {model} -f {audio} -l {language} -oj -of {out_base}";
        await plain.RunAsync(_audio, _speech, config, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, plain.Stage.Status);
        var estimated = Assert.Single(plain.Transcript.Segments);
        Assert.Equal("You are a bold one.", estimated.Text);
        Assert.Equal(["You", "are", "a", "bold", "one."], estimated.Words.Select(w => w.Text));
        Assert.Equal(4.4, estimated.Words[0].Start);
        Assert.Equal(7.2, estimated.Words[^1].End, 3);
        Assert.True(estimated.Words[3].End - estimated.Words[3].Start > estimated.Words[2].End - estimated.Words[2].Start, "longer words get more time");
        Assert.Contains(plain.Stage.Manifest.Warnings, w => w.Message.StartsWith("5 words came without times", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_command_fails_the_stage_with_its_last_lines()
    {
        var tool = Script("whisperx", """
            echo "Loading model large-v2" >&2
            echo "Traceback (most recent call last):" >&2
            echo "RuntimeError: CUDA failed with error out of memory" >&2
            exit 1
            """);
        var config = new Dictionary<string, object?> { ["backend"] = "command", ["command"] = tool + " {audio} --output_dir {out_dir}" };
        await _job.RunAsync(_audio, _speech, config, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, _job.Stage.Status);
        Assert.StartsWith("the ASR command exited with code 1; its last lines: Loading model large-v2 | Traceback (most recent call last): | RuntimeError: CUDA failed with error out of memory", _job.Stage.Reason);
        Assert.DoesNotContain("   at ", _job.ManifestText);
    }

    [Fact]
    public async Task A_command_that_writes_nothing_fails_clearly()
    {
        var config = new Dictionary<string, object?> { ["backend"] = "command", ["command"] = "test -f {audio} && echo done" };
        await _job.RunAsync(_audio, _speech, config, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, _job.Stage.Status);
        Assert.Contains("the ASR command succeeded but wrote no JSON file into", _job.Stage.Reason);
        Assert.Contains("--output_format json --output_dir {out_dir}", _job.Stage.Reason);
    }

    [Fact]
    public async Task A_missing_program_or_an_empty_command_say_what_to_do()
    {
        var config = new Dictionary<string, object?> { ["backend"] = "command", ["command"] = "whisperx-not-installed {audio} --output_dir {out_dir}" };
        await _job.RunAsync(_audio, _speech, config, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, _job.Stage.Status);
        Assert.Contains("exited with code 127 (127: the program was not found", _job.Stage.Reason);
        Assert.Contains("whisperx-not-installed: not found", _job.Stage.Reason);

        using var empty = await new AsrJob().RunAsync(_audio, _speech, new Dictionary<string, object?> { ["backend"] = "command" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, empty.Stage.Status);
        Assert.StartsWith("config 'command' is empty", empty.Stage.Reason);
    }

    [Fact]
    public async Task Output_that_is_not_a_whisper_format_is_named()
    {
        var config = new Dictionary<string, object?> { ["backend"] = "command", ["command"] = "echo '{\"results\": []}' > {out_dir}/x.json; test -f {audio}" };
        await _job.RunAsync(_audio, _speech, config, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, _job.Stage.Status);
        Assert.Contains("is neither WhisperX JSON (a 'segments' list) nor whisper.cpp JSON (a 'transcription' list); it has: results", _job.Stage.Reason);
    }
}
