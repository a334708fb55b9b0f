using System.Globalization;

namespace Waybill.Media.Stages.Subtitles;

/// <summary>A word with its time in milliseconds: what cues are cut from.</summary>
public sealed record TimedWord(string Text, long StartMs, long EndMs);

/// <summary>One subtitle: when it shows, its words, and whether it is sung (shown between ♪ marks).</summary>
public sealed class Cue
{
    public required long StartMs { get; set; }
    public required long EndMs { get; set; }
    public required List<string> Words { get; init; }
    public bool Music { get; init; }
    /// <summary>The lines as shown, ♪ marks included; set by the line breaker when the cue is final.</summary>
    public IReadOnlyList<string> Lines { get; set; } = [];
    /// <summary>Whether the timer moved the end past the last word (counted once per cue).</summary>
    internal bool Extended { get; set; }

    public long DurationMs => EndMs - StartMs;
    /// <summary>The text read: the words with single spaces, without ♪ marks.</summary>
    public string Text => string.Join(' ', Words);
    public int Chars => TextLength.Of(Text);

    public override string ToString() => $"{StartMs.ToString(CultureInfo.InvariantCulture)}–{EndMs.ToString(CultureInfo.InvariantCulture)} ms: {Text}";
}

/// <summary>What the cue rules changed, counted for the manifest.</summary>
public sealed class CueAdjustments
{
    /// <summary>Cues added by splitting a segment at word boundaries.</summary>
    public int Split { get; set; }
    /// <summary>Cues joined with a neighbour because they were too short.</summary>
    public int Merged { get; set; }
    /// <summary>Cues whose end moved into the following silence (minimum duration or reading speed).</summary>
    public int Extended { get; set; }
    /// <summary>Cues that took time from a neighbour or started earlier, in silence, to reach the minimum duration.</summary>
    public int Borrowed { get; set; }
    /// <summary>Cues cut to the maximum duration (a single word held longer), or cut back where the next one overlapped them.</summary>
    public int Shortened { get; set; }
    /// <summary>Cues that start later than their speech because an earlier cue overlapped them.</summary>
    public int Delayed { get; set; }
    /// <summary>Words longer than a line, shown whole on a line of their own.</summary>
    public int LongWords { get; set; }
    /// <summary>Cues still faster than the reading speed: continuous speech left no silence to extend into.</summary>
    public int TooFast { get; set; }
    /// <summary>Cues still shorter than the minimum: no silence, neighbour or merge could help.</summary>
    public int TooShort { get; set; }

    public Dictionary<string, int> ToDictionary() => new(StringComparer.Ordinal)
    {
        ["split"] = Split, ["merged"] = Merged, ["extended"] = Extended, ["borrowed"] = Borrowed, ["shortened"] = Shortened,
        ["delayed"] = Delayed, ["long_words"] = LongWords, ["too_fast"] = TooFast, ["too_short"] = TooShort,
    };
}

/// <summary>Text length as a reader counts it: user-perceived characters, so "é" written as e + accent is one.</summary>
public static class TextLength
{
    public static int Of(string text)
    {
        var ascii = true;
        foreach (var c in text)
            if (c >= 0x300) { ascii = false; break; }
        return ascii ? text.Length : new StringInfo(text).LengthInTextElements;
    }
}
