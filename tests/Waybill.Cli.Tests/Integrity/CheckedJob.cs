using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Hashing;
using Waybill.Media.Audio;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Integrity;

/// <summary>
/// A real job made by <c>waybill run</c>: a command stage reading an external file, the ASR stage with a command
/// backend (it keeps the recognizer's raw JSON as a retained intermediate), and a command stage reading the first
/// stage's output. Each test works on its own copy of the job folder, so tampering never leaks between tests.
/// </summary>
public sealed class CheckedJob : IAsyncLifetime
{
    private readonly TempFolder _temp = new();

    public string Folder => _temp.Path;
    public string Job => _temp.Combine("out", "j");
    public string Source => _temp.Combine("data", "source.txt");

    /// <summary>Writes the pipeline and its external inputs into <paramref name="folder"/>.</summary>
    public static void WritePipeline(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        File.WriteAllText(Path.Combine(folder, "data", "source.txt"), "the quick brown fox\n");
        using (var writer = new WavWriter(Path.Combine(folder, "data", "audio.wav"), 16000)) writer.WriteSilence(16000 * 2);
        File.WriteAllText(Path.Combine(folder, "data", "speech.json"), """
            {"model": "silero_vad", "sample_rate": 16000, "duration": 2.0, "threshold": 0.5, "min_speech_ms": 250,
             "min_silence_ms": 100, "speech_pad_ms": 30, "segments": [{"start": 0.2, "end": 1.6, "probability": 0.9}]}
            """);
        var whisper = Path.Combine(folder, "data", "audio.json");
        File.WriteAllText(whisper, """
            {"segments": [{"start": 0.3, "end": 1.4, "text": " Hello there.",
              "words": [{"word": "Hello", "start": 0.3, "end": 0.7, "score": 0.9}, {"word": "there.", "start": 0.8, "end": 1.4, "score": 0.8}]}],
             "language": "en"}
            """);
        File.WriteAllText(Path.Combine(folder, "waybill.yaml"), $$"""
            name: checked
            stages:
              - id: 01_make
                inputs:
                  source: { path: data/source.txt, type: text }
                run: 'cat {in.source} > {out.text}; echo "made the text"'
                outputs:
                  text: { path: text.txt, type: text }
              - id: 02_listen
                uses: media.asr
                inputs:
                  audio: { path: data/audio.wav, type: audio }
                  speech: { path: data/speech.json, type: speech_segments }
                outputs:
                  segments: segments.json
                  transcript: transcript.json
                config:
                  backend: command
                  command: >-
                    test -f {audio} && cp '{{whisper}}' {out_dir}/
              - id: 03_shout
                inputs: { text: 01_make.text }
                run: tr a-z A-Z < {in.text} > {out.loud}
                outputs: { loud: loud.txt }
            """);
    }

    public async ValueTask InitializeAsync()
    {
        WritePipeline(Folder);
        var run = await CliProcess.RunAsync(Folder, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
    }

    /// <summary>A copy of the job folder at a new place (a moved job): relative manifest paths keep it whole.</summary>
    public string CopyTo(string target)
    {
        Copy(new DirectoryInfo(Job), target);
        return target;

        static void Copy(DirectoryInfo from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var file in from.GetFiles()) file.CopyTo(Path.Combine(to, file.Name));
            foreach (var dir in from.GetDirectories()) Copy(dir, Path.Combine(to, dir.Name));
        }
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Edits a manifest as a person would, then (when asked) records its new checksum in the job manifest, as if the edit were sealed.</summary>
    public static void EditManifest(string job, string stageId, Action<JsonNode> edit, bool reseal = false)
    {
        var path = Path.Combine(job, stageId, "manifest.json");
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        edit(node);
        File.WriteAllText(path, node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        if (!reseal) return;
        var jobPath = Path.Combine(job, "manifest.json");
        var jobNode = JsonNode.Parse(File.ReadAllText(jobPath))!;
        var summary = jobNode["stages"]!.AsArray().Single(s => s!["stage_id"]!.GetValue<string>() == stageId)!;
        summary["manifest_checksum"] = FileHasher.Compute(path, ChecksumAlgorithm.XxHash128);
        File.WriteAllText(jobPath, jobNode.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        // The job manifest is sealed in turn; the edit is sealed all the way up, so only the rule under test can see it.
        File.WriteAllText(Path.Combine(job, ".waybill", "manifest.checksum"), FileHasher.Compute(jobPath, ChecksumAlgorithm.XxHash128) + "\n");
    }
}
