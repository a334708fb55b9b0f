using System.Globalization;
using System.Text.RegularExpressions;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Hallucinations;

/// <summary>The cleaned transcript and what was taken out of it.</summary>
public sealed record FilterResult(Transcript Transcript, IReadOnlyList<Removal> Removals, int RemovedWords, int RemovedSegments)
{
    public Dictionary<string, int> Counts() =>
        HallucinationOptions.AllRules.ToDictionary(r => r, r => Removals.Count(x => x.Rule == r), StringComparer.Ordinal);
}

/// <summary>
/// Takes ASR hallucinations out of a transcript. Word rules run first (words outside speech, looped phrases), then
/// segment rules on what is left (known phrases and sound tags, a repeat of the previous segment, implausible speed
/// or word lengths). The kept words carry the aligned (absolute, clamped) times; segments keep their ids.
/// </summary>
public sealed partial class HallucinationFilter(HallucinationOptions options)
{
    private static string F(double seconds) => seconds.ToString("0.00", CultureInfo.InvariantCulture);

    public FilterResult Run(Transcript transcript, IReadOnlyList<AlignedWord> aligned, IReadOnlyList<SpeechSegment> speech, IReadOnlyList<MusicRegion> music)
    {
        var regions = speech.OrderBy(s => s.Start).ToList();
        var musicRegions = music.OrderBy(m => m.Start).ToList();
        var wordsBySegment = aligned.GroupBy(w => w.Segment).ToDictionary(g => g.Key, g => g.OrderBy(w => w.Start).Select(w => new Word(w.Text, w.Start, w.End, w.Confidence)).ToList());
        var removals = new List<Removal>();
        var kept = new List<TranscriptSegment>();
        var removedWords = 0;
        var removedSegments = 0;
        string[]? previous = null;

        foreach (var segment in transcript.Segments.OrderBy(s => s.Start).ThenBy(s => s.Id))
        {
            // The aligned times are the ones to keep; a segment alignment left out keeps the ASR's own word times.
            var words = wordsBySegment.GetValueOrDefault(segment.Id) ?? [.. segment.Words.OrderBy(w => w.Start)];
            var hasWords = words.Count > 0;
            var before = words.Count;
            if (hasWords)
            {
                if (options.Enabled(HallucinationOptions.OutsideSpeech)) words = RemoveOutsideSpeech(segment.Id, words, regions, removals);
                if (options.Enabled(HallucinationOptions.RepeatedPhrase)) words = RemoveRepeats(segment.Id, words, removals);
                removedWords += before - words.Count;
                if (words.Count == 0)
                {
                    removedSegments++;
                    continue;
                }
            }
            else if (options.Enabled(HallucinationOptions.OutsideSpeech) && Distance(segment.Start, segment.End, regions) > options.SpeechToleranceSeconds)
            {
                removals.Add(new(HallucinationOptions.OutsideSpeech, segment.Id, segment.Text.Trim(), segment.Start, segment.End,
                    $"the segment lies {F(Distance(segment.Start, segment.End, regions))} s from the nearest speech region (tolerance {F(options.SpeechToleranceSeconds)} s)"));
                removedSegments++;
                continue;
            }

            // Untouched segments keep the ASR's text (its casing and punctuation); changed ones are rebuilt from their words.
            var text = hasWords && words.Count != before ? TextMatch.Join(words.Select(w => w.Text)) : segment.Text.Trim();
            var start = hasWords ? words[0].Start : segment.Start;
            var end = hasWords ? words.Max(w => w.End) : segment.End;
            var lyrics = MusicShare(start, end, musicRegions) >= options.LyricsOverlap;
            var normalized = TextMatch.Words(text);

            var reason = SegmentRule(text, normalized, start, end, words, hasWords, lyrics, previous);
            if (reason is { } r)
            {
                removals.Add(new(r.Rule, segment.Id, text, start, end, r.Reason));
                removedWords += words.Count;
                removedSegments++;
                continue;
            }

            kept.Add(new TranscriptSegment
            {
                Id = segment.Id, Start = start, End = end, Text = text, Confidence = segment.Confidence,
                Words = words, Lyrics = lyrics || segment.Lyrics,
            });
            previous = normalized;
        }

        var cleaned = new Transcript { Backend = transcript.Backend, Language = transcript.Language, Duration = transcript.Duration, Segments = kept };
        return new FilterResult(cleaned, [.. removals.OrderBy(r => r.Start).ThenBy(r => r.Segment)], removedWords, removedSegments);
    }

    private (string Rule, string Reason)? SegmentRule(string text, string[] normalized, double start, double end, List<Word> words, bool hasWords, bool lyrics, string[]? previous)
    {
        if (options.Enabled(HallucinationOptions.KnownPhrase))
        {
            if (options.RemoveSoundTags && SoundTagsOnly().IsMatch(text) && !lyrics)
                return (HallucinationOptions.KnownPhrase, "only a sound tag, outside any music region");
            if (options.Phrases.FirstOrDefault(p => TextMatch.MatchesPhrase(normalized, p)) is { } phrase)
                return (HallucinationOptions.KnownPhrase, $"known hallucination phrase \"{phrase}\"");
        }
        if (options.Enabled(HallucinationOptions.RepeatedSegment) && previous is not null
            && normalized.Length >= options.RepeatedSegmentMinWords && normalized.AsSpan().SequenceEqual(previous))
            return (HallucinationOptions.RepeatedSegment, "the same text as the previous segment");
        if (options.Enabled(HallucinationOptions.Implausible))
        {
            var duration = end - start;
            if (text.Length >= options.RateMinChars && (duration <= 0 || text.Length / duration > options.MaxCharsPerSecond))
                return (HallucinationOptions.Implausible, duration <= 0
                    ? $"{text.Length} characters in no time"
                    : $"{(text.Length / duration).ToString("0.0", CultureInfo.InvariantCulture)} characters per second (limit {options.MaxCharsPerSecond.ToString(CultureInfo.InvariantCulture)})");
            if (hasWords && words.All(w => w.End - w.Start < options.MinWordSeconds))
                return (HallucinationOptions.Implausible, $"every word is shorter than {(options.MinWordSeconds * 1000).ToString("0", CultureInfo.InvariantCulture)} ms");
        }
        return null;
    }

    /// <summary>Words farther than the tolerance from every speech region; runs of them become one removal each.</summary>
    private List<Word> RemoveOutsideSpeech(int segment, List<Word> words, List<SpeechSegment> regions, List<Removal> removals)
    {
        var kept = new List<Word>(words.Count);
        var run = new List<Word>();
        var worst = 0.0;
        void Flush()
        {
            if (run.Count == 0) return;
            removals.Add(new(HallucinationOptions.OutsideSpeech, segment, TextMatch.Join(run.Select(w => w.Text)), run[0].Start, run[^1].End,
                $"{(run.Count == 1 ? "the word lies" : $"{run.Count} words lie")} up to {F(worst)} s outside speech (tolerance {F(options.SpeechToleranceSeconds)} s)"));
            run.Clear();
            worst = 0;
        }
        foreach (var word in words)
        {
            var distance = Distance(word.Start, word.End, regions);
            if (distance > options.SpeechToleranceSeconds)
            {
                run.Add(word);
                worst = Math.Max(worst, distance);
            }
            else
            {
                Flush();
                kept.Add(word);
            }
        }
        Flush();
        return kept;
    }

    /// <summary>
    /// A phrase said again and again ("I'm going to I'm going to I'm going to") keeps its first occurrence.
    /// The shortest repeating unit wins, so "a b a b a b" is seen as "a b" three times.
    /// </summary>
    private List<Word> RemoveRepeats(int segment, List<Word> words, List<Removal> removals)
    {
        var keys = words.Select(w => TextMatch.Key(w.Text)).ToArray();
        var kept = new List<Word>(words.Count);
        var i = 0;
        while (i < words.Count)
        {
            var found = false;
            for (var n = 1; n <= options.RepeatMaxNgram && i + 2 * n <= words.Count; n++)
            {
                var count = 1;
                while (i + (count + 1) * n <= words.Count && keys.AsSpan(i + count * n, n).SequenceEqual(keys.AsSpan(i, n))) count++;
                var needed = n == 1 ? options.SingleWordRepeatMinCount : options.RepeatMinCount;
                if (count < needed) continue;
                kept.AddRange(words.Skip(i).Take(n));
                var repeats = words.Skip(i + n).Take((count - 1) * n).ToList();
                removals.Add(new(HallucinationOptions.RepeatedPhrase, segment, TextMatch.Join(repeats.Select(w => w.Text)), repeats[0].Start, repeats[^1].End,
                    $"\"{TextMatch.Join(words.Skip(i).Take(n).Select(w => w.Text))}\" said {count} times in a row; the first is kept"));
                i += count * n;
                found = true;
                break;
            }
            if (!found) kept.Add(words[i++]);
        }
        return kept;
    }

    /// <summary>Seconds between [start, end] and the nearest speech region; 0 when they touch. Infinite without regions.</summary>
    internal static double Distance(double start, double end, List<SpeechSegment> regions)
    {
        if (regions.Count == 0) return double.PositiveInfinity;
        // First region that ends at or after the word starts; it and the one before it are the nearest.
        int lo = 0, hi = regions.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (regions[mid].End < start) lo = mid + 1;
            else hi = mid;
        }
        var best = double.PositiveInfinity;
        for (var k = Math.Max(0, lo - 1); k <= Math.Min(regions.Count - 1, lo); k++)
        {
            var region = regions[k];
            var gap = end < region.Start ? region.Start - end : start > region.End ? start - region.End : 0;
            best = Math.Min(best, gap);
        }
        return best;
    }

    /// <summary>The share of [start, end] inside music regions (for an instant: 1 when inside one).</summary>
    internal static double MusicShare(double start, double end, List<MusicRegion> regions)
    {
        if (end <= start) return regions.Any(r => r.Start <= start && start <= r.End) ? 1 : 0;
        var inside = 0.0;
        foreach (var region in regions)
        {
            if (region.Start >= end) break;
            inside += Math.Max(0, Math.Min(end, region.End) - Math.Max(start, region.Start));
        }
        return inside / (end - start);
    }

    /// <summary>"[Music]", "(applause)", "♪ ♪", "[MUSIC PLAYING]" and nothing else.</summary>
    [GeneratedRegex(@"^\s*(?:(?:\[[^\]]*\]|\([^)]*\)|[♪♫♬#*]+)[\s.,!]*)+$")]
    private static partial Regex SoundTagsOnly();
}
