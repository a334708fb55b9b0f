using Waybill.Media.Model;
using Waybill.Media.Tools;

namespace Waybill.Media.Stages.Subtitles;

/// <summary>One language's cues, final, with what the rules changed.</summary>
public sealed record SubtitleTrackCues(string Language, IReadOnlyList<Cue> Cues, CueAdjustments Adjustments);

/// <summary>
/// Turns a transcript (cut at its word timings) or a translation (one segment's time shared among its words by
/// their length) into cues within the rules, with lines broken and ♪ marks added.
/// </summary>
public sealed class SubtitleBuilder(SubtitleRules rules, IReadOnlyList<MusicRegion> music)
{
    private readonly List<MusicRegion> _music = [.. music.OrderBy(m => m.Start)];

    /// <param name="sentenceCase">Capitalise and end each segment as a sentence (<see cref="SentenceCase"/>).</param>
    public SubtitleTrackCues FromTranscript(Transcript transcript, bool sentenceCase = false)
    {
        var english = IsoLanguage.SameLanguage(transcript.Language, "en");
        var adjustments = new CueAdjustments();
        var cues = new List<Cue>();
        var splitter = new CueSplitter(rules, IsMusic);
        var segments = transcript.Segments
            .Select(segment => (Words: Clean(segment.Words.Count > 0
                ? [.. segment.Words.OrderBy(w => w.Start).Select(w => new TimedWord(w.Text.Trim(), Ms(w.Start), Math.Max(Ms(w.Start), Ms(w.End))))]
                : SpreadOverTime(segment.Text, segment.Start, segment.End)), segment.Lyrics))
            .Where(s => s.Words.Count > 0)
            .OrderBy(s => s.Words[0].StartMs)
            .ToList();
        for (var k = 0; k < segments.Count; k++)
        {
            var (words, lyrics) = segments[k];
            if (sentenceCase) words = SentenceCase.Apply(words, english, sung: lyrics || IsMusic(words[0].StartMs, words.Max(w => w.EndMs)));
            AddSegment(cues, splitter, words, lyrics, NextStart(segments, k, transcript.Duration), adjustments);
        }
        return Finish(transcript.Language, cues, adjustments, Ms(transcript.Duration));
    }

    /// <param name="lyrics">Ids of the source segments that are sung.</param>
    public SubtitleTrackCues FromTranslation(Model.Translation translation, IReadOnlySet<int> lyrics, double duration)
    {
        var adjustments = new CueAdjustments();
        var cues = new List<Cue>();
        var splitter = new CueSplitter(rules, IsMusic);
        var segments = translation.Segments
            .Select(segment => (Words: Clean(SpreadOverTime(segment.Text, segment.Start, segment.End)), Lyrics: lyrics.Contains(segment.Id)))
            .Where(s => s.Words.Count > 0)
            .OrderBy(s => s.Words[0].StartMs)
            .ToList();
        for (var k = 0; k < segments.Count; k++)
            AddSegment(cues, splitter, segments[k].Words, segments[k].Lyrics, NextStart(segments, k, duration), adjustments);
        return Finish(translation.TargetLanguage, cues, adjustments, Ms(duration));
    }

    /// <summary>Until when the segment's last cue may stay: the next segment's start, or the media's end.</summary>
    private static long NextStart(List<(List<TimedWord> Words, bool Lyrics)> segments, int k, double duration) =>
        k + 1 < segments.Count ? segments[k + 1].Words[0].StartMs : duration > 0 ? Ms(duration) : long.MaxValue;

    private void AddSegment(List<Cue> cues, CueSplitter splitter, List<TimedWord> words, bool lyrics, long nextStartMs, CueAdjustments adjustments)
    {
        var music = lyrics || IsMusic(words[0].StartMs, words.Max(w => w.EndMs));
        var parts = splitter.Split(words, music, nextStartMs);
        adjustments.Split += Math.Max(0, parts.Count - 1);
        cues.AddRange(parts);
    }

    private SubtitleTrackCues Finish(string language, List<Cue> cues, CueAdjustments adjustments, long endMs)
    {
        var timed = new CueTimer(rules).Apply(cues, adjustments, endMs);
        foreach (var cue in timed)
        {
            cue.Lines = LineBreaker.Break(cue.Words, rules.MaxLineChars, rules.MaxLines, cue.Music)
                ?? throw new InvalidOperationException($"cue does not fit its lines: {cue}");
            if (cue.Words.Count == 1 && TextLength.Of(cue.Words[0]) > LineBreaker.Limit(rules.MaxLineChars, 1, cue.Music)) adjustments.LongWords++;
        }
        return new SubtitleTrackCues(language, timed, adjustments);
    }

    /// <summary>
    /// Words of a text given only as a whole, each given a share of [start, end] by its length (plus one for the
    /// space), as a reader's eye moves along it.
    /// </summary>
    internal static List<TimedWord> SpreadOverTime(string text, double start, double end)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return [];
        var from = Ms(start);
        var span = Math.Max(0, Ms(end) - from);
        var weights = words.Select(w => TextLength.Of(w) + 1.0).ToArray();
        var total = weights.Sum();
        var result = new List<TimedWord>(words.Length);
        var before = 0.0;
        for (var i = 0; i < words.Length; i++)
        {
            var s = from + (long)Math.Round(span * before / total);
            before += weights[i];
            var e = from + (long)Math.Round(span * before / total);
            result.Add(new TimedWord(words[i], s, e));
        }
        return result;
    }

    /// <summary>Drops empty words and ♪ marks the ASR wrote itself (the cue adds its own).</summary>
    private static List<TimedWord> Clean(List<TimedWord> words) =>
        [.. words.Where(w => w.Text.Length > 0 && w.Text.Any(c => c is not ('♪' or '♫' or '♬')))];

    /// <summary>Whether [start, end] lies mostly in music regions.</summary>
    private bool IsMusic(long startMs, long endMs)
    {
        if (_music.Count == 0) return false;
        double start = startMs / 1000.0, end = endMs / 1000.0;
        if (end <= start) return _music.Any(r => r.Start <= start && start <= r.End);
        var inside = 0.0;
        foreach (var region in _music)
        {
            if (region.Start >= end) break;
            inside += Math.Max(0, Math.Min(end, region.End) - Math.Max(start, region.Start));
        }
        return inside / (end - start) >= rules.MusicOverlap;
    }

    internal static long Ms(double seconds) => (long)Math.Round(seconds * 1000);
}
