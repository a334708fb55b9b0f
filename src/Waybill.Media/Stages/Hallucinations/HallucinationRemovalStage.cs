using System.Globalization;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Stages;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Hallucinations;

/// <summary>
/// 09_hallucination_removal: the ASR transcript rebuilt from its aligned words, without repeated phrases, words
/// outside speech and implausible segments; segments in music regions are marked as lyrics. Every removal is
/// logged with its rule and written to <c>removed.json</c>; the counts per rule go to the manifest.
/// </summary>
public sealed class HallucinationRemovalStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var options = ReadOptions(context);
        var transcript = MediaJson.Read<Transcript>(context.InputPath("transcript"));
        var words = MediaJson.Read<WordTimeline>(context.InputPath("words"));
        var speech = MediaJson.Read<SpeechSegments>(context.InputPath("speech"));
        var music = MediaJson.Read<MusicRegions>(context.InputPath("music"));

        var known = transcript.Segments.Select(s => s.Id).ToHashSet();
        var orphans = words.Words.Count(w => !known.Contains(w.Segment));
        if (orphans > 0) context.AddWarning($"{orphans} aligned words name a segment that is not in the transcript; they are ignored");
        if (speech.Segments.Count == 0 && options.Enabled(HallucinationOptions.OutsideSpeech) && transcript.Segments.Count > 0)
            context.AddWarning("the VAD found no speech: every word lies outside speech and is removed");

        var result = new HallucinationFilter(options).Run(transcript, words.Words, speech.Segments, music.Regions);
        foreach (var removal in result.Removals)
            context.Logger.LogInformation("removed by {Rule}: segment {Segment} ({Start}–{End} s) \"{Text}\": {Reason}", removal.Rule, removal.Segment,
                removal.Start.ToString("0.00", CultureInfo.InvariantCulture), removal.End.ToString("0.00", CultureInfo.InvariantCulture), removal.Text, removal.Reason);

        var counts = result.Counts();
        var segmentsPath = context.OutputPath("segments");
        var removedPath = context.OutputPath("removed");
        MediaJson.Write(segmentsPath, result.Transcript);
        MediaJson.Write(removedPath, new RemovalReport { Counts = counts, RemovedWords = result.RemovedWords, RemovedSegments = result.RemovedSegments, Removals = [.. result.Removals] });

        var keptWords = result.Transcript.Segments.Sum(s => s.Words.Count);
        var lyrics = result.Transcript.Segments.Count(s => s.Lyrics);
        context.TrackOutput(segmentsPath, "transcript_segments", "json",
            [new("segments", result.Transcript.Segments.Count), new("words", keptWords), new("lyrics_segments", lyrics)], name: "segments");
        context.TrackOutput(removedPath, "removals", "json",
            [new("removals", counts), new("removed_words", result.RemovedWords), new("removed_segments", result.RemovedSegments)], name: "removed");
        context.Logger.LogInformation("kept {Kept} of {Total} segments ({Words} words, {Lyrics} lyrics); removals: {Counts}",
            result.Transcript.Segments.Count, transcript.Segments.Count, keptWords, lyrics,
            string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
        context.Finalize(StageStatus.Success, summary: [new("removals", counts), new("removed_words", result.RemovedWords), new("removed_segments", result.RemovedSegments), new("kept_segments", result.Transcript.Segments.Count)]);
        return Task.CompletedTask;
    }

    /// <summary>Reads every rule's setting (defaults documented on <see cref="HallucinationOptions"/>) and records the values used.</summary>
    internal static HallucinationOptions ReadOptions(StageContext context)
    {
        var defaults = new HallucinationOptions();
        var rules = context.GetConfig<List<string>>("rules", null) ?? [.. defaults.Rules];
        var unknown = rules.Where(r => !HallucinationOptions.AllRules.Contains(r, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new StageFailedException($"config 'rules' of {context.StageId} names unknown rules: {string.Join(", ", unknown)} (known: {string.Join(", ", HallucinationOptions.AllRules)})");
        var options = new HallucinationOptions
        {
            Rules = rules,
            RepeatMinCount = (int)Number(context, "repeat_min_count", defaults.RepeatMinCount, 2),
            SingleWordRepeatMinCount = (int)Number(context, "repeat_min_count_single_word", defaults.SingleWordRepeatMinCount, 2),
            RepeatMaxNgram = (int)Number(context, "repeat_max_ngram", defaults.RepeatMaxNgram, 1),
            RepeatedSegmentMinWords = (int)Number(context, "repeated_segment_min_words", defaults.RepeatedSegmentMinWords, 1),
            SpeechToleranceSeconds = Number(context, "speech_tolerance_seconds", defaults.SpeechToleranceSeconds, 0),
            MaxCharsPerSecond = Number(context, "implausible_chars_per_second", defaults.MaxCharsPerSecond, 1),
            RateMinChars = (int)Number(context, "implausible_min_chars", defaults.RateMinChars, 0),
            MinWordSeconds = Number(context, "min_word_seconds", defaults.MinWordSeconds, 0),
            Phrases = context.GetConfig<List<string>>("phrases", null) ?? [.. defaults.Phrases],
            RemoveSoundTags = context.GetConfig("remove_sound_tags", defaults.RemoveSoundTags),
            LyricsOverlap = Number(context, "lyrics_overlap", defaults.LyricsOverlap, 0),
        };
        context.AddConfig("rules", options.Rules);
        context.AddConfig("repeat_min_count", options.RepeatMinCount);
        context.AddConfig("repeat_min_count_single_word", options.SingleWordRepeatMinCount);
        context.AddConfig("repeat_max_ngram", options.RepeatMaxNgram);
        context.AddConfig("repeated_segment_min_words", options.RepeatedSegmentMinWords);
        context.AddConfig("speech_tolerance_seconds", options.SpeechToleranceSeconds);
        context.AddConfig("implausible_chars_per_second", options.MaxCharsPerSecond);
        context.AddConfig("implausible_min_chars", options.RateMinChars);
        context.AddConfig("min_word_seconds", options.MinWordSeconds);
        context.AddConfig("phrases", options.Phrases);
        context.AddConfig("remove_sound_tags", options.RemoveSoundTags);
        context.AddConfig("lyrics_overlap", options.LyricsOverlap);
        return options;
    }

    /// <summary>A number from config whether YAML wrote it as 3 or 3.0; below <paramref name="minimum"/> fails the stage.</summary>
    private static double Number(StageContext context, string key, double fallback, double minimum)
    {
        var value = context.GetConfig<double?>(key, null) ?? fallback;
        if (value < minimum || double.IsNaN(value))
            throw new StageFailedException($"config '{key}' of {context.StageId} is {value.ToString(CultureInfo.InvariantCulture)}; it must be at least {minimum.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }
}
