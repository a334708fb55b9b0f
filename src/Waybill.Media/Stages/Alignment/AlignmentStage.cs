using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.IO;
using Waybill.Core.Stages;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Alignment;

/// <summary>
/// 07_alignment: the ASR transcript's words on one absolute timeline, clamped into VAD's speech regions
/// (<see cref="WordAligner"/>). Writes <c>words</c> (<see cref="WordTimeline"/>) and <c>text</c> (transcript.txt).
/// </summary>
public sealed class AlignmentStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var transcript = MediaJson.Read<Transcript>(context.InputPath("transcript"));
        var hasSpeech = context.Definition.Inputs.Any(i => i.Name == "speech") && context.HasInput("speech");
        var speech = hasSpeech ? MediaJson.Read<SpeechSegments>(context.InputPath("speech")).Segments : [];
        if (!hasSpeech) context.AddWarning("no speech segments from VAD: word times are kept as the recogniser gave them, not clamped");
        else if (speech.Count == 0 && transcript.Segments.Count > 0) context.AddWarning("VAD found no speech: word times are not clamped");

        context.Logger.LogInformation("Aligning {Segments} transcript segments to {Regions} speech regions", transcript.Segments.Count, speech.Count);
        var result = WordAligner.Align(transcript, speech);
        foreach (var word in result.Timeline.Words.Where(w => w.Clamped))
            context.Logger.LogDebug("clamped '{Word}' (segment {Segment}) into speech region {Region}: {Start:0.000}-{End:0.000}", word.Text, word.Segment, word.SpeechRegion, word.Start, word.End);

        var words = context.OutputPath("words");
        MediaJson.Write(words, result.Timeline);
        var text = context.OutputPath("text");
        AtomicFile.WriteAllText(text, TranscriptText.Format(result.Lines));

        context.TrackOutput(words, "word_timings", "json", new Dictionary<string, object?>
        {
            ["word_count"] = result.Words,
            ["clamped_words"] = result.Clamped,
            ["interpolated_words"] = result.Interpolated,
            ["reordered_words"] = result.Reordered,
        }, name: "words");
        context.TrackOutput(text, "transcript", "txt", new Dictionary<string, object?> { ["line_count"] = result.Lines.Count }, name: "text");
        context.SetResource("word_count", result.Words);
        context.SetResource("clamped_words", result.Clamped);
        context.SetResource("interpolated_words", result.Interpolated);
        context.Logger.LogInformation("{Words} words in {Lines} lines: {Clamped} clamped into speech regions, {Interpolated} given interpolated times, {Reordered} moved to keep order",
            result.Words, result.Lines.Count, result.Clamped, result.Interpolated, result.Reordered);
        if (result.Words == 0) context.AddWarning("the transcript holds no words");
        return Task.CompletedTask;
    }
}
