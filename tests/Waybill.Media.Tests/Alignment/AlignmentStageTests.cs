using Waybill.Core.Pipeline;
using Waybill.Media.Model;
using Waybill.Media.Stages.Alignment;
using Waybill.Media.Tests.Vad;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Alignment;

/// <summary>07_alignment through the engine: its two files and the counts in its manifest.</summary>
public sealed class AlignmentStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private PipelineBuilder Pipeline(string transcript, string speech) =>
        new PipelineBuilder("align", _temp.Path)
            .Stage("07_alignment", () => new AlignmentStage(), s => s
                .ExternalInput("transcript", transcript, "transcript_segments", "json")
                .ExternalInput("speech", speech, "speech_segments", "json")
                .Output("words", "words.json", "word_timings", "json")
                .Output("text", "transcript.txt", "transcript", "txt"));

    [Fact]
    public async Task Words_and_transcript_text_are_written_with_their_counts()
    {
        var transcript = _temp.Combine("segments.json");
        MediaJson.Write(transcript, new Transcript
        {
            Backend = "pocketsphinx",
            Language = "en",
            Duration = 10,
            Segments =
            [
                new TranscriptSegment { Id = 0, Start = 1.0, End = 2.5, Text = "good morning", Words = [new("good", 0.8, 1.3, 0.9), new("morning", 1.3, 2.0, 0.8)] },
                new TranscriptSegment { Id = 1, Start = 4.0, End = 6.0, Text = "how are you" },
            ],
        });
        var speech = _temp.Combine("speech.json");
        MediaJson.Write(speech, new SpeechSegments { SampleRate = 16000, Duration = 10, Segments = [new(1.0, 2.4, 0.9), new(4.2, 6.0, 0.95)] });

        var run = await StageRun.RunAsync(_temp, Pipeline(transcript, speech), "07_alignment");

        Assert.Equal("success", run.Manifest.Status);
        var words = MediaJson.Read<WordTimeline>(Path.Combine(run.StageDir, "words.json")).Words;
        Assert.Equal(["good", "morning", "how", "are", "you"], words.Select(w => w.Text));
        Assert.Equal(new AlignedWord("good", 1.0, 1.3, 0.9, 0, 0, true), words[0]);
        Assert.All(words[2..], w => Assert.Equal((1, 1), (w.Segment, w.SpeechRegion)));
        Assert.Equal(4.2, words[2].Start);   // spread over 4.0-6.0, then the first word's start clamped to the region
        Assert.Equal(
            "[00:00:01.000 --> 00:00:02.000] good morning\n[00:00:04.200 --> 00:00:06.000] how are you\n",
            await File.ReadAllTextAsync(Path.Combine(run.StageDir, "transcript.txt"), TestContext.Current.CancellationToken));

        var output = run.Output("words");
        Assert.Equal(5, output.Metadata!["word_count"].GetInt32());
        Assert.Equal(2, output.Metadata["clamped_words"].GetInt32());
        Assert.Equal(3, output.Metadata["interpolated_words"].GetInt32());
        Assert.Equal(2, run.Output("text").Metadata!["line_count"].GetInt32());
        Assert.Equal(3, run.Resource("interpolated_words"));
        Assert.Empty(run.Manifest.Warnings);
    }

    [Fact]
    public async Task An_empty_transcript_gives_empty_files_and_a_warning()
    {
        var transcript = _temp.Combine("segments.json");
        MediaJson.Write(transcript, new Transcript());
        var speech = _temp.Combine("speech.json");
        MediaJson.Write(speech, new SpeechSegments());

        var run = await StageRun.RunAsync(_temp, Pipeline(transcript, speech), "07_alignment");

        Assert.Equal("success", run.Manifest.Status);
        Assert.Empty(MediaJson.Read<WordTimeline>(Path.Combine(run.StageDir, "words.json")).Words);
        Assert.Equal("", await File.ReadAllTextAsync(Path.Combine(run.StageDir, "transcript.txt"), TestContext.Current.CancellationToken));
        Assert.Equal("the transcript holds no words", Assert.Single(run.Manifest.Warnings).Message);
    }

    [Fact]
    public async Task A_malformed_transcript_fails_naming_the_file()
    {
        var transcript = _temp.Write("segments.json", "{ \"segments\": [ { \"start\": \"soon\" } ] }");
        var speech = _temp.Combine("speech.json");
        MediaJson.Write(speech, new SpeechSegments());

        var run = await StageRun.RunAsync(_temp, Pipeline(transcript, speech), "07_alignment");

        Assert.Equal("failed", run.Manifest.Status);
        Assert.Contains(transcript, run.Manifest.StatusReason, StringComparison.Ordinal);
        Assert.Contains("not a valid Transcript", run.Manifest.StatusReason, StringComparison.Ordinal);
    }
}
