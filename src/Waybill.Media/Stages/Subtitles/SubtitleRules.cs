namespace Waybill.Media.Stages.Subtitles;

/// <summary>The limits every cue is made to respect (each is a config key of 11_subtitle_generation).</summary>
public sealed record SubtitleRules
{
    /// <summary><c>max_line_chars</c>: characters per line, the ♪ marks included.</summary>
    public int MaxLineChars { get; init; } = 42;
    /// <summary><c>max_lines</c>: lines per cue.</summary>
    public int MaxLines { get; init; } = 2;
    /// <summary><c>min_cue_seconds</c>: shorter cues are extended into the following silence, merged or given time by a neighbour.</summary>
    public double MinCueSeconds { get; init; } = 0.8;
    /// <summary><c>max_cue_seconds</c>: longer stretches are split at word boundaries.</summary>
    public double MaxCueSeconds { get; init; } = 7;
    /// <summary><c>max_chars_per_second</c>: reading speed; a faster cue stays up longer where silence allows.</summary>
    public double MaxCharsPerSecond { get; init; } = 20;
    /// <summary><c>min_gap_seconds</c>: the least time between one cue's end and the next one's start.</summary>
    public double MinGapSeconds { get; init; } = 0.04;
    /// <summary><c>music_overlap</c>: the share of a cue inside music regions that marks it with ♪.</summary>
    public double MusicOverlap { get; init; } = 0.5;

    internal long MinCueMs => (long)Math.Round(MinCueSeconds * 1000);
    internal long MaxCueMs => (long)Math.Round(MaxCueSeconds * 1000);
    internal long GapMs => (long)Math.Round(MinGapSeconds * 1000);

    /// <summary>How long <paramref name="chars"/> characters need on screen: the reading time, at least the minimum.</summary>
    internal long NeededMs(int chars) => Math.Min(MaxCueMs, Math.Max(MinCueMs, (long)Math.Ceiling(chars * 1000 / MaxCharsPerSecond)));
}
