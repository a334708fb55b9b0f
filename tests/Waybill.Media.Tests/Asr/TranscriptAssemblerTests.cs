using Waybill.Media.Model;
using Waybill.Media.Stages.Asr;
using Xunit;

namespace Waybill.Media.Tests.Asr;

public sealed class TranscriptAssemblerTests
{
    private static readonly List<SpeechSegment> Speech = [new(1.0, 2.0, 0.9), new(3.0, 4.0, 0.9), new(6.0, 7.0, 0.9)];

    [Fact]
    public void Per_segment_spans_become_one_segment_each_numbered_in_order()
    {
        RecognizedSpan[] spans =
        [
            new(2, 6.0, 7.0, "Third.", [new Word("Third.", 6.1, 6.5, 0.5)]),
            new(0, 1.0, 2.0, "First, yes.", [new Word("First", 1.1, 1.4, 0.9), new Word("yes", 1.5, 1.9, 0.7)]),
        ];
        var result = TranscriptAssembler.Assemble(spans, Speech);
        Assert.Equal(0, result.WordsOutsideSpeech);
        Assert.Equal([0, 1], result.Segments.Select(s => s.Id));
        Assert.Equal(["First, yes.", "Third."], result.Segments.Select(s => s.Text));
        Assert.Equal((1.0, 2.0, 0.8), (result.Segments[0].Start, result.Segments[0].End, result.Segments[0].Confidence!.Value));
        Assert.Equal((6.0, 7.0), (result.Segments[1].Start, result.Segments[1].End));
    }

    [Fact]
    public void Whole_file_words_go_to_the_segment_they_overlap_most_or_the_nearest()
    {
        RecognizedSpan[] spans =
        [
            new(null, 0.9, 4.2, "a b c d", [
                new Word("a", 0.9, 1.3, 1), new Word("b", 1.8, 3.1, 1),   // b overlaps the first by 0.2 s and the second by 0.1 s
                new Word("c", 3.5, 4.2, 1), new Word("d", 4.9, 5.1, 1)]),  // d touches none: 0.9 s after the second, 0.9 s before the third
        ];
        var result = TranscriptAssembler.Assemble(spans, Speech);
        Assert.Equal(["a b", "c d"], result.Segments.Select(s => s.Text));
        Assert.Equal(1, result.WordsOutsideSpeech);
        // A segment widens to hold its words (times are left as the backend gave them; 07_alignment clamps them).
        Assert.Equal((0.9, 3.1), (result.Segments[0].Start, result.Segments[0].End));
        Assert.Equal((3.0, 5.1), (result.Segments[1].Start, result.Segments[1].End));
    }

    [Fact]
    public void Nothing_recognised_gives_no_segments()
    {
        var result = TranscriptAssembler.Assemble([new RecognizedSpan(1, 3.0, 4.0, "  ", [])], Speech);
        Assert.Empty(result.Segments);
        Assert.Empty(TranscriptAssembler.Assemble([], []).Segments);
    }
}
