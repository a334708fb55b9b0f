using Waybill.Core.Manifests;
using Waybill.Media.Audio;
using Waybill.Media.Model;
using Xunit;

namespace Waybill.Media.Tests.Asr;

public sealed class AsrStagePocketSphinxTests(SpokenSentences speech) : IClassFixture<SpokenSentences>
{
    private static readonly Dictionary<string, object?> Defaults = new() { ["backend"] = "pocketsphinx", ["workers"] = 2L };

    [Fact]
    public async Task Without_workers_a_stage_given_threads_decodes_with_as_many()
    {
        var config = new Dictionary<string, object?> { ["backend"] = "pocketsphinx" };
        using var job = await new AsrJob().RunAsync(speech.AudioPath, speech.Segments, config, threads: 3,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, job.Stage.Status);
        Assert.Equal(3, job.Resource("workers"));
        Assert.Equal(3, job.Stage.Manifest.Config["workers"]!.GetValue<long>());
        Assert.Equal(3, job.Stage.Manifest.Resources.Requested!.Threads);
    }

    [Fact]
    public async Task Writes_the_transcript_and_records_what_it_did()
    {
        using var job = await new AsrJob().RunAsync(speech.AudioPath, speech.Segments, Defaults, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, job.Stage.Status);

        var transcript = job.Transcript;
        Assert.Equal("pocketsphinx", transcript.Backend);
        Assert.Equal("en", transcript.Language);
        Assert.InRange(transcript.Duration, speech.Duration - 0.01, speech.Duration + 0.01);
        Assert.InRange(transcript.Segments.Count, speech.Segments.Count - 1, speech.Segments.Count);
        Assert.Equal(Enumerable.Range(0, transcript.Segments.Count), transcript.Segments.Select(s => s.Id));
        foreach (var segment in transcript.Segments)
        {
            // Each transcript segment is one of the VAD segments, its words inside it.
            var vad = Assert.Single(speech.Segments, v => v.Start == segment.Start && v.End == segment.End);
            Assert.NotEmpty(segment.Words);
            Assert.All(segment.Words, w => Assert.InRange(w.Start, vad.Start, vad.End));
            Assert.Equal(string.Join(' ', segment.Words.Select(w => w.Text)), segment.Text);
            Assert.Equal(Math.Round(segment.Words.Average(w => w.Confidence), 4), segment.Confidence);
        }
        var wer = WordErrorRate.Of(string.Join(' ', AsrTestAudio.Sentences), string.Join(' ', transcript.Segments.Select(s => s.Text)));
        Assert.True(wer < 0.6, $"WER {wer:0.00}");

        var summary = job.Summary;
        Assert.Equal(string.Join(' ', transcript.Segments.Select(s => s.Text)), summary.Text);
        Assert.Equal(transcript.Segments.Sum(s => s.Words.Count), summary.WordCount);
        Assert.Equal(transcript.Segments.Count, summary.SegmentCount);
        Assert.Equal("pocketsphinx", summary.Backend);
        Assert.Contains("/usr/share/pocketsphinx/model/en-us/en-us", summary.Model);
        Assert.Equal(transcript.Segments.Select(s => s.Text), summary.Segments.Select(s => s.Text));

        var manifest = job.Stage.Manifest;
        Assert.Equal(speech.Segments.Count, job.Resource("segments_decoded"));
        Assert.Equal(summary.WordCount, job.Resource("words"));
        Assert.Equal(2, job.Resource("workers"));
        Assert.InRange(job.Resource("model_load_seconds"), 0.01, 60);
        Assert.InRange(job.Resource("real_time_factor"), 0.01, 5);
        Assert.Equal("pocketsphinx", manifest.Resources.Extra!["backend"].GetString());
        Assert.StartsWith("0.8", manifest.ToolVersions["pocketsphinx"]);
        Assert.Contains("libpocketsphinx.so.3", manifest.ToolVersions["pocketsphinx"]);
        Assert.True(manifest.ToolVersions.ContainsKey("pocketsphinx-en-us"));
        Assert.Equal("pocketsphinx", manifest.Config["backend"]!.GetValue<string>());
        Assert.Equal("/usr/share/pocketsphinx/model/en-us/en-us", manifest.Config["hmm"]!.GetValue<string>());
        Assert.Equal("audio", manifest.Config["audio_source"]!.GetValue<string>());
        var segmentsRecord = Assert.Single(manifest.Outputs, o => o.Name == "segments");
        Assert.Equal(transcript.Segments.Count, segmentsRecord.Metadata!["segment_count"].GetInt32());
        Assert.Equal(summary.WordCount, segmentsRecord.Metadata!["word_count"].GetInt32());
        Assert.NotNull(segmentsRecord.Checksum);

        // The library's own log is off: nothing of it in stage.log, only the stage's lines.
        var log = job.StageLog;
        Assert.Contains($"recognised {speech.Segments.Count}/{speech.Segments.Count} segments", log);
        Assert.DoesNotContain("ngram_search", log);
        Assert.Contains("segment 0 [", log);
    }

    [Fact]
    public async Task No_speech_segments_give_an_empty_transcript()
    {
        using var job = await new AsrJob().RunAsync(speech.AudioPath, [], Defaults, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, job.Stage.Status);
        Assert.Empty(job.Transcript.Segments);
        Assert.Equal("", job.Summary.Text);
        Assert.Equal(0, job.Summary.WordCount);
        Assert.Contains("no speech segments to recognise", job.StageLog);
        Assert.Equal(0, job.Resource("segments_decoded"));
        Assert.Empty(job.Stage.Manifest.Warnings);
    }

    [Fact]
    public async Task The_vocals_track_is_used_when_there_is_one()
    {
        using var job = new AsrJob();
        // The main audio is silence; only the vocals hold the speech.
        var silence = Path.Combine(job.Folder, "silence.wav");
        using (var writer = new WavWriter(silence, 16000)) writer.WriteSilence((long)(speech.Duration * 16000));
        await job.RunAsync(silence, speech.Segments.Take(2).ToList(), Defaults, vocals: speech.AudioPath, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, job.Stage.Status);
        Assert.Equal("vocals", job.Stage.Manifest.Config["audio_source"]!.GetValue<string>());
        Assert.NotEmpty(job.Transcript.Segments);

        using var without = await new AsrJob().RunAsync(silence, speech.Segments.Take(2).ToList(), Defaults, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, without.Stage.Status);
        Assert.Empty(without.Transcript.Segments);
        Assert.Contains(without.Stage.Manifest.Warnings, w => w.Message.Contains("recognised no words in 2 speech segments", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_language_fails_with_how_to_use_another_backend()
    {
        var config = new Dictionary<string, object?>(Defaults) { ["language"] = "de" };
        using var job = await new AsrJob().RunAsync(speech.AudioPath, speech.Segments, config, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, job.Stage.Status);
        Assert.Contains("language 'de'", job.Stage.Reason);
        Assert.Contains("only its en-us model", job.Stage.Reason);
        Assert.Contains("backend: command", job.Stage.Reason);
        Assert.Contains("backend: openai", job.Stage.Reason);
    }

    [Fact]
    public async Task A_missing_model_fails_before_decoding()
    {
        var config = new Dictionary<string, object?>(Defaults) { ["hmm"] = "/nonexistent/en-us" };
        using var job = await new AsrJob().RunAsync(speech.AudioPath, speech.Segments, config, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, job.Stage.Status);
        Assert.Contains("/nonexistent/en-us/mdef not found", job.Stage.Reason);
    }

    [Fact]
    public async Task An_unknown_backend_or_bad_workers_fail_clearly()
    {
        using var unknown = await new AsrJob().RunAsync(speech.AudioPath, speech.Segments, new Dictionary<string, object?> { ["backend"] = "kaldi" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, unknown.Stage.Status);
        Assert.Equal("config 'backend' is 'kaldi': use auto, whisper, pocketsphinx, command or openai", unknown.Stage.Reason);

        using var workers = await new AsrJob().RunAsync(speech.AudioPath, speech.Segments, new Dictionary<string, object?> { ["workers"] = 0L }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, workers.Stage.Status);
        Assert.Contains("config 'workers' must be between 1 and 64", workers.Stage.Reason);
    }
}
