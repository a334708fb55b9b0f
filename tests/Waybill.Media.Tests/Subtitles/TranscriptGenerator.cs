using Waybill.Media.Model;

namespace Waybill.Media.Tests.Subtitles;

/// <summary>The kinds of speech the cue rules must cope with.</summary>
public enum SpeechStyle
{
    Dialogue,
    LongSentences,
    FastSpeech,
    ShortWords,
    LongWord,
    Lyrics,
    Overlapping,
}

/// <summary>Seeded transcripts with word timings, shaped like each style of speech.</summary>
public static class TranscriptGenerator
{
    private static readonly string[] Vocabulary =
    [
        "the", "a", "to", "and", "you", "I", "it", "we", "is", "was", "that", "what", "know", "don't", "think", "going", "right",
        "really", "never", "something", "everything", "tomorrow", "remember", "listen", "because", "maybe", "nobody", "yesterday",
        "incredible", "absolutely", "understand", "responsibility", "extraordinary", "Stark", "Potts", "reactor", "Malibu",
        "café", "naïve", "überraschung", "it's", "we're", "they'll",
    ];

    private static readonly string[] Short = ["a", "I", "to", "be", "ok", "no", "go", "up", "so", "oh", "hey", "yes", "it", "me"];

    private const string LongWord = "Supercalifragilisticexpialidocious-Pneumonoultramicroscopic";

    public static (Transcript Transcript, List<MusicRegion> Music) Generate(SpeechStyle style, int seed)
    {
        var random = new Random(seed);
        var segments = new List<TranscriptSegment>();
        var music = new List<MusicRegion>();
        var t = random.NextDouble() * 2;
        var count = style == SpeechStyle.ShortWords ? 60 : 25;
        for (var id = 0; id < count; id++)
        {
            var (wordCount, vocabulary, secondsPerChar, gapWithin) = style switch
            {
                SpeechStyle.LongSentences => (random.Next(25, 70), Vocabulary, 0.065, 0.05),
                SpeechStyle.FastSpeech => (random.Next(8, 30), Vocabulary, 0.028, 0.01),
                SpeechStyle.ShortWords => (random.Next(1, 4), Short, 0.06, 0.03),
                _ => (random.Next(2, 18), Vocabulary, 0.06, 0.04),
            };
            var words = new List<Word>();
            for (var w = 0; w < wordCount; w++)
            {
                var text = style == SpeechStyle.LongWord && w == wordCount / 2 ? LongWord : vocabulary[random.Next(vocabulary.Length)];
                if (w == wordCount - 1) text += random.Next(3) switch { 0 => ".", 1 => "?", _ => "!" };
                else if (random.NextDouble() < 0.08) text += ".";
                else if (random.NextDouble() < 0.12) text += ",";
                var duration = Math.Max(0.06, text.Length * secondsPerChar * (0.7 + 0.6 * random.NextDouble()));
                words.Add(new Word(text, Math.Round(t, 3), Math.Round(t + duration, 3), 0.9));
                t += duration + gapWithin * random.NextDouble();
                if (text.EndsWith('.') && random.NextDouble() < 0.3) t += 0.5; // a pause after some sentences
            }
            var lyrics = style == SpeechStyle.Lyrics && id % 3 == 1;
            var segment = new TranscriptSegment { Id = id, Start = words[0].Start, End = words[^1].End, Text = string.Join(' ', words.Select(w => w.Text)), Words = words, Lyrics = lyrics };
            segments.Add(segment);
            if (style == SpeechStyle.Lyrics && id % 3 == 2) music.Add(new MusicRegion(segment.Start - 0.2, segment.End + 0.2, 0.8));
            t += style switch
            {
                SpeechStyle.FastSpeech => 0.02 + 0.05 * random.NextDouble(),
                SpeechStyle.ShortWords => 0.05 + 0.4 * random.NextDouble(),
                // Alignment can leave the next segment starting before this one ends.
                SpeechStyle.Overlapping => -0.3 + 0.6 * random.NextDouble(),
                _ => 0.1 + 2.5 * random.NextDouble(),
            };
            t = Math.Max(t, words[0].Start + 0.05);
        }
        return (new Transcript { Backend = "test", Language = "en", Duration = Math.Round(t + 5, 3), Segments = segments }, music);
    }
}
