using Waybill.Media.Model;
using Waybill.Media.Stages.Subtitles;
using Xunit;

namespace Waybill.Media.Tests.Subtitles;

/// <summary>
/// Every rule, checked on every cue of generated transcripts of each kind of speech: lines and their length,
/// duration limits, reading speed where the silence allows it, gaps, ♪ marks, and no word lost or repeated;
/// then the SRT and WebVTT files read back to the same cues.
/// </summary>
public sealed class CueRulesPropertyTests
{
    private static readonly SubtitleRules Rules = new();

    public static TheoryData<SpeechStyle, int> Cases()
    {
        var data = new TheoryData<SpeechStyle, int>();
        foreach (var style in Enum.GetValues<SpeechStyle>())
            for (var seed = 1; seed <= 6; seed++) data.Add(style, seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_cue_keeps_every_rule(SpeechStyle style, int seed)
    {
        var (transcript, music) = TranscriptGenerator.Generate(style, seed);
        var track = new SubtitleBuilder(Rules, music).FromTranscript(transcript);
        var cues = track.Cues;
        var endMs = (long)Math.Round(transcript.Duration * 1000);
        Assert.NotEmpty(cues);

        for (var i = 0; i < cues.Count; i++)
        {
            var cue = cues[i];
            var at = $"{style}/{seed} cue {i}: {cue}";
            Assert.InRange(cue.Lines.Count, 1, Rules.MaxLines);
            foreach (var line in cue.Lines)
                Assert.True(TextLength.Of(line) <= Rules.MaxLineChars || (cue.Words.Count == 1 && line.Contains(cue.Words[0], StringComparison.Ordinal)), $"{at}: line '{line}' is too long");
            Assert.True(cue.DurationMs <= Rules.MaxCueMs, $"{at}: longer than {Rules.MaxCueSeconds} s");
            Assert.True(cue.DurationMs >= Rules.MinCueMs, $"{at}: shorter than {Rules.MinCueSeconds} s");
            if (i + 1 < cues.Count)
                Assert.True(cues[i + 1].StartMs - cue.EndMs >= Rules.GapMs, $"{at}: the next cue starts {cues[i + 1].StartMs - cue.EndMs} ms after this one ends");
            // Reading speed: held where silence allows; otherwise the cue already reaches the next one, the maximum or the media's end.
            var cps = cue.Chars * 1000.0 / cue.DurationMs;
            var blocked = cue.DurationMs == Rules.MaxCueMs || cue.EndMs >= endMs || (i + 1 < cues.Count && cue.EndMs == cues[i + 1].StartMs - Rules.GapMs);
            Assert.True(cps <= Rules.MaxCharsPerSecond + 1e-9 || blocked, $"{at}: {cps:0.0} chars/s though it could stay longer");
            // ♪ marks exactly on sung cues.
            Assert.Equal(cue.Music, cue.Lines[0].StartsWith("♪ ", StringComparison.Ordinal));
            Assert.Equal(cue.Music, cue.Lines[^1].EndsWith(" ♪", StringComparison.Ordinal));
            Assert.Equal(cue.Text, string.Join(' ', cue.Lines).Replace("♪ ", "", StringComparison.Ordinal).Replace(" ♪", "", StringComparison.Ordinal));
        }

        Assert.Equal(transcript.Segments.SelectMany(s => s.Words).Select(w => w.Text), cues.SelectMany(c => c.Words));
        Assert.Equal(0, track.Adjustments.TooShort);
        if (style == SpeechStyle.Lyrics)
        {
            Assert.Contains(cues, c => c.Music);
            Assert.Contains(cues, c => !c.Music);
        }
        if (style == SpeechStyle.LongWord) Assert.True(track.Adjustments.LongWords > 0);

        var srt = SubtitleFiles.ParseSrt(SubtitleWriter.Srt(cues));
        var vtt = SubtitleFiles.ParseVtt(SubtitleWriter.Vtt(cues));
        var expected = cues.Select(c => new ParsedCue(c.StartMs, c.EndMs, c.Lines)).ToList();
        Assert.Equal(expected.Count, srt.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].StartMs, expected[i].EndMs), (srt[i].StartMs, srt[i].EndMs));
            Assert.Equal(expected[i].Lines, srt[i].Lines);
            Assert.Equal((expected[i].StartMs, expected[i].EndMs), (vtt[i].StartMs, vtt[i].EndMs));
            Assert.Equal(expected[i].Lines, vtt[i].Lines);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Translated_segments_keep_the_same_rules(SpeechStyle style, int seed)
    {
        var (transcript, music) = TranscriptGenerator.Generate(style, seed);
        var random = new Random(seed);
        // A translation is usually a little longer than its source.
        var translation = new Model.Translation
        {
            SourceLanguage = "en", TargetLanguage = "de", Model = "test",
            Segments = [.. transcript.Segments.Select(s => new TranslatedSegment(s.Id, s.Start, s.End, string.Join(' ', s.Text.Split(' ').Select(w => random.Next(4) == 0 ? w + "en" : w)), s.Text))],
        };
        var lyrics = transcript.Segments.Where(s => s.Lyrics).Select(s => s.Id).ToHashSet();
        var track = new SubtitleBuilder(Rules, music).FromTranslation(translation, lyrics, transcript.Duration);

        Assert.Equal("de", track.Language);
        Assert.Equal(translation.Segments.SelectMany(s => s.Text.Split(' ')), track.Cues.SelectMany(c => c.Words));
        for (var i = 0; i < track.Cues.Count; i++)
        {
            var cue = track.Cues[i];
            Assert.InRange(cue.Lines.Count, 1, Rules.MaxLines);
            Assert.All(cue.Lines, l => Assert.True(TextLength.Of(l) <= Rules.MaxLineChars || cue.Words.Count == 1, l));
            Assert.InRange(cue.DurationMs, Rules.MinCueMs, Rules.MaxCueMs);
            if (i + 1 < track.Cues.Count) Assert.True(track.Cues[i + 1].StartMs - cue.EndMs >= Rules.GapMs);
        }
    }
}
