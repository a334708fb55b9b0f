using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Stages;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Subtitles;

/// <summary>
/// 11_subtitle_generation: SRT and WebVTT for the spoken language (<c>subtitles.srt</c>, <c>subtitles.vtt</c>) and
/// for the translation when 10_translation ran (<c>subtitles.LANG.srt/.vtt</c>), within the line, duration and
/// reading-speed rules; sung parts between ♪ marks. <c>tracks.json</c> lists every language for 12_mux.
/// </summary>
public sealed class SubtitleGenerationStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var rules = ReadRules(context);
        var transcript = MediaJson.Read<Transcript>(context.InputPath("segments"));
        var music = MediaJson.Read<MusicRegions>(context.InputPath("music"));
        var builder = new SubtitleBuilder(rules, music.Regions);
        var tracks = new List<SubtitleTrack>();
        var summary = new Dictionary<string, object?>(StringComparer.Ordinal);

        RemoveEarlierTranslatedTracks(context);
        var sentenceCase = ReadSentenceCase(context, transcript);
        var source = builder.FromTranscript(transcript, sentenceCase);
        if (source.Cues.Count == 0) context.AddWarning("no subtitles: the transcript is empty");
        tracks.Add(WriteTrack(context, source, context.OutputPath("srt"), context.OutputPath("vtt"), "srt", "vtt", summary));

        if (context.Definition.Inputs.Any(i => i.Name == "translation") && context.HasInput("translation"))
        {
            var translation = MediaJson.Read<Model.Translation>(context.InputPath("translation"));
            var language = SafeName(translation.TargetLanguage);
            if (language.Length == 0 || string.Equals(language, SafeName(transcript.Language), StringComparison.OrdinalIgnoreCase))
            {
                context.AddWarning($"the translation's target language '{translation.TargetLanguage}' is empty or the spoken one; no translated track was made");
            }
            else
            {
                var lyrics = transcript.Segments.Where(s => s.Lyrics).Select(s => s.Id).ToHashSet();
                var translated = builder.FromTranslation(translation, lyrics, transcript.Duration);
                if (translated.Cues.Count == 0) context.AddWarning($"no {language} subtitles: the translation is empty");
                tracks.Add(WriteTrack(context, translated, context.StagePath($"subtitles.{language}.srt"), context.StagePath($"subtitles.{language}.vtt"), $"srt_{language}", $"vtt_{language}", summary));
            }
        }

        var tracksPath = context.OutputPath("tracks");
        MediaJson.Write(tracksPath, new SubtitleTracks { Tracks = tracks });
        context.TrackOutput(tracksPath, "subtitle_tracks", "json", [new("languages", tracks.Select(t => t.Language).ToList())], name: "tracks");
        summary["cues"] = tracks.Sum(t => t.Cues);
        context.Finalize(Core.Manifests.StageStatus.Success, summary: summary);
        return Task.CompletedTask;
    }

    private static SubtitleTrack WriteTrack(StageContext context, SubtitleTrackCues track, string srtPath, string vttPath, string srtName, string vttName, Dictionary<string, object?> summary)
    {
        SubtitleWriter.Write(srtPath, SubtitleWriter.Srt(track.Cues));
        SubtitleWriter.Write(vttPath, SubtitleWriter.Vtt(track.Cues));
        var adjustments = track.Adjustments.ToDictionary();
        foreach (var (path, name, format) in new[] { (srtPath, srtName, "srt"), (vttPath, vttName, "vtt") })
            context.TrackOutput(path, "subtitles", format, [new("language", track.Language), new("cues", track.Cues.Count), new("adjustments", adjustments)], name: name);
        summary[track.Language] = new Dictionary<string, object?> { ["cues"] = track.Cues.Count, ["adjustments"] = adjustments };

        var a = track.Adjustments;
        context.Logger.LogInformation("{Language}: {Cues} cues; split {Split}, merged {Merged}, extended {Extended}, borrowed {Borrowed}, shortened {Shortened}, delayed {Delayed}",
            track.Language, track.Cues.Count, a.Split, a.Merged, a.Extended, a.Borrowed, a.Shortened, a.Delayed);
        if (a.TooFast > 0) context.AddWarning($"{track.Language}: {a.TooFast} cues are faster than the reading speed: the speech around them leaves no silence to extend into");
        if (a.TooShort > 0) context.AddWarning($"{track.Language}: {a.TooShort} cues are shorter than the minimum duration: no silence, neighbour or merge could lengthen them");
        if (a.LongWords > 0) context.AddWarning($"{track.Language}: {a.LongWords} words are longer than a line; each is shown whole on a line of its own");
        var stageDir = context.StageDir;
        return new SubtitleTrack(track.Language, Path.GetRelativePath(stageDir, srtPath), Path.GetRelativePath(stageDir, vttPath), track.Cues.Count);
    }

    /// <summary>
    /// <c>subtitles.LANG.srt/.vtt</c> of an earlier run are not declared outputs, so nothing moves them aside: without this,
    /// a run without the translation (it failed, or was turned off) would leave the old track beside the new files.
    /// </summary>
    private static void RemoveEarlierTranslatedTracks(StageContext context)
    {
        foreach (var file in Directory.EnumerateFiles(context.StageDir, "subtitles.*"))
        {
            var name = Path.GetFileName(file);
            var subtitles = name.EndsWith(".srt", StringComparison.Ordinal) || name.EndsWith(".vtt", StringComparison.Ordinal);
            if (subtitles && name.Count(c => c == '.') == 2) File.Delete(file);
        }
    }

    /// <summary>A language code usable in a file name ("pt-BR" stays, "../x" does not).</summary>
    private static string SafeName(string language) =>
        new([.. language.Trim().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);

    /// <summary>Whether the cues of the spoken language get sentence case: config sentence_case, auto by the recogniser.</summary>
    private static bool ReadSentenceCase(StageContext context, Transcript transcript)
    {
        var configured = context.GetConfig<JsonNode?>("sentence_case", null);
        var text = configured is null ? null : configured.GetValueKind() == JsonValueKind.String ? configured.GetValue<string>() : configured.ToJsonString();
        var mode = SentenceCase.Parse(text)
            ?? throw new StageFailedException($"config 'sentence_case' of {context.StageId} is '{text}'; use one of {string.Join(", ", SentenceCase.Values)}");
        var applies = SentenceCase.Applies(mode, transcript.Backend);
        context.AddConfig("sentence_case", mode.ToString().ToLowerInvariant());
        context.AddConfig("sentence_case_applied", applies);
        if (mode == SentenceCaseMode.Auto)
            context.Logger.LogInformation("sentence case {State}: the {Backend} transcript {Why}", applies ? "on" : "off", transcript.Backend,
                applies ? "has neither capitals nor punctuation" : "is cased and punctuated by its recogniser");
        return applies;
    }

    internal static SubtitleRules ReadRules(StageContext context)
    {
        var defaults = new SubtitleRules();
        var rules = new SubtitleRules
        {
            MaxLineChars = (int)Number(context, "max_line_chars", defaults.MaxLineChars),
            MaxLines = (int)Number(context, "max_lines", defaults.MaxLines),
            MinCueSeconds = Number(context, "min_cue_seconds", defaults.MinCueSeconds),
            MaxCueSeconds = Number(context, "max_cue_seconds", defaults.MaxCueSeconds),
            MaxCharsPerSecond = Number(context, "max_chars_per_second", defaults.MaxCharsPerSecond),
            MinGapSeconds = Number(context, "min_gap_seconds", defaults.MinGapSeconds),
            MusicOverlap = Number(context, "music_overlap", defaults.MusicOverlap),
        };
        if (rules.MinCueSeconds > rules.MaxCueSeconds)
            throw new StageFailedException($"config 'min_cue_seconds' ({rules.MinCueSeconds.ToString(CultureInfo.InvariantCulture)}) of {context.StageId} is above 'max_cue_seconds' ({rules.MaxCueSeconds.ToString(CultureInfo.InvariantCulture)})");
        context.AddConfig("max_line_chars", rules.MaxLineChars);
        context.AddConfig("max_lines", rules.MaxLines);
        context.AddConfig("min_cue_seconds", rules.MinCueSeconds);
        context.AddConfig("max_cue_seconds", rules.MaxCueSeconds);
        context.AddConfig("max_chars_per_second", rules.MaxCharsPerSecond);
        context.AddConfig("min_gap_seconds", rules.MinGapSeconds);
        context.AddConfig("music_overlap", rules.MusicOverlap);
        return rules;
    }

    private static double Number(StageContext context, string key, double fallback)
    {
        var minimum = SubtitleConfigCheck.Minimums[key];
        var value = context.GetConfig<double?>(key, null) ?? fallback;
        if (value < minimum || double.IsNaN(value))
            throw new StageFailedException($"config '{key}' of {context.StageId} is {value.ToString(CultureInfo.InvariantCulture)}; it must be at least {minimum.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }
}
