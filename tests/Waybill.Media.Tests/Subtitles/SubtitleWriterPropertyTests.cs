using CsCheck;
using Waybill.Media.Stages.Subtitles;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Subtitles;

/// <summary>
/// The SRT and WebVTT writers on any cue text and times: the files read back (strictly) to one cue per cue with text,
/// at the same times, with no line that a reader would take as a blank line, a timing line or a line break.
/// </summary>
public sealed class SubtitleWriterPropertyTests
{
    private const int Cases = 3_000;

    private static readonly Gen<string> Text = Gen.OneOf(
            Gen.Char['\u0000', '\u00A0'], Gen.Char["-->\n\r\t &<>0123456789:,. "], Gen.Char["\u2028\u2029\u0085♪é字"], Gen.Char)
        .Array[0, 30].Select(chars => new string(chars));

    private static readonly Gen<string> Line = Gen.OneOf(Text, Gen.Const(""), Gen.Const("\n\n"), Gen.Const("a\n\nb"),
        Gen.Const("00:00:01,000 --> 00:00:02,000"), Gen.Const("2"), Gen.Const("  "), Gen.Const("x --> y"));

    /// <summary>Cues in time order: each starts at or after the previous start, and lasts 0 to 10 s.</summary>
    private static readonly Gen<List<Cue>> Cues =
        Gen.Select(Gen.Long[0, 5_000], Gen.Long[0, 10_000], Line.Array[0, 3]).Array[0, 8].Select(parts =>
        {
            var cues = new List<Cue>();
            var at = 0L;
            foreach (var (gap, length, lines) in parts)
            {
                at += gap;
                cues.Add(new Cue { StartMs = at, EndMs = at + length, Words = [.. lines], Lines = lines });
            }
            return cues;
        });

    [Fact]
    public void Any_cue_text_and_times_read_back_as_the_same_cues()
    {
        var count = 0;
        Cues.SampleFixed(cues =>
        {
            Interlocked.Increment(ref count);
            var shown = cues.Where(c => c.Lines.Any(l => !string.IsNullOrWhiteSpace(Flat(l)))).ToList();

            var srt = SubtitleFiles.ParseSrt(SubtitleWriter.Srt(cues));
            var vtt = SubtitleFiles.ParseVtt(SubtitleWriter.Vtt(cues));

            foreach (var (parsed, format) in new[] { (srt, "srt"), (vtt, "vtt") })
            {
                Assert.Equal(shown.Count, parsed.Count);
                for (var i = 0; i < shown.Count; i++)
                {
                    Assert.Equal((shown[i].StartMs, shown[i].EndMs), (parsed[i].StartMs, parsed[i].EndMs));
                    if (i > 0) Assert.True(parsed[i].StartMs >= parsed[i - 1].StartMs, format);
                    var expected = shown[i].Lines.Select(Flat).Where(l => !string.IsNullOrWhiteSpace(l))
                        .Select(l => format == "srt" ? l.Replace("-->", "-- >", StringComparison.Ordinal) : l);
                    Assert.Equal(expected, parsed[i].Lines);
                    // ParseVtt refuses "-->" in raw cue text itself; here the lines are already unescaped.
                    if (format == "srt") Assert.All(parsed[i].Lines, l => Assert.DoesNotContain("-->", l, StringComparison.Ordinal));
                }
            }
        }, iter: Cases);
        ReliabilityFigures.Record("SRT and WebVTT tracks of arbitrary cue text written and read back (property test, one run)",
            count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A line as the writer shows it: line breaks and other control characters are spaces.</summary>
    private static string Flat(string line) => string.Concat(line.Select(c => char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c));
}
