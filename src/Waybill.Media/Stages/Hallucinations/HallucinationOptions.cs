namespace Waybill.Media.Stages.Hallucinations;

/// <summary>The rules of 09_hallucination_removal and their thresholds (each is a config key of the stage).</summary>
public sealed record HallucinationOptions
{
    public const string RepeatedPhrase = "repeated_phrase";
    public const string RepeatedSegment = "repeated_segment";
    public const string OutsideSpeech = "outside_speech";
    public const string Implausible = "implausible";
    public const string KnownPhrase = "known_phrase";

    public static readonly IReadOnlyList<string> AllRules = [OutsideSpeech, RepeatedPhrase, KnownPhrase, RepeatedSegment, Implausible];

    /// <summary>
    /// Phrases ASR models produce from silence or music (learnt from subtitled web video). Compared with the whole
    /// segment, ignoring case and punctuation; a leading or trailing <c>*</c> stands for any further words.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultPhrases =
    [
        "thanks for watching", "thank you for watching", "thank you so much for watching",
        "please subscribe *", "please like and subscribe *", "like and subscribe *", "don't forget to subscribe *",
        "subscribe to my channel *", "see you in the next video *",
        "subtitles by *", "subtitles made by *", "captions by *", "translated by *", "transcribed by *", "transcription by *",
        "* amara org community",
    ];

    /// <summary>Enabled rules (<c>rules</c>): all by default.</summary>
    public IReadOnlyList<string> Rules { get; init; } = AllRules;

    /// <summary><c>repeat_min_count</c>: an n-gram (2 ≤ n ≤ <see cref="RepeatMaxNgram"/>) repeated this often in a row keeps only its first occurrence.</summary>
    public int RepeatMinCount { get; init; } = 3;

    /// <summary><c>repeat_min_count_single_word</c>: one word needs more repeats, because "no, no, no" is real speech.</summary>
    public int SingleWordRepeatMinCount { get; init; } = 5;

    /// <summary><c>repeat_max_ngram</c>: the longest phrase looked for.</summary>
    public int RepeatMaxNgram { get; init; } = 8;

    /// <summary><c>repeated_segment_min_words</c>: a segment equal to the previous one is dropped when it has at least this many words ("No." twice is speech).</summary>
    public int RepeatedSegmentMinWords { get; init; } = 2;

    /// <summary><c>speech_tolerance_seconds</c>: how far outside every VAD region a word may lie before it is dropped.</summary>
    public double SpeechToleranceSeconds { get; init; } = 0.3;

    /// <summary><c>implausible_chars_per_second</c>: faster than anyone speaks.</summary>
    public double MaxCharsPerSecond { get; init; } = 25;

    /// <summary><c>implausible_min_chars</c>: the speaking-rate test needs this much text (one short word read fast is fine).</summary>
    public int RateMinChars { get; init; } = 10;

    /// <summary><c>min_word_seconds</c>: a segment whose every word is shorter than this was not spoken.</summary>
    public double MinWordSeconds { get; init; } = 0.02;

    /// <summary><c>phrases</c>: known hallucination phrases, replacing <see cref="DefaultPhrases"/>.</summary>
    public IReadOnlyList<string> Phrases { get; init; } = DefaultPhrases;

    /// <summary><c>remove_sound_tags</c>: drop segments that are only tags such as "[Music]" or "♪" outside music regions.</summary>
    public bool RemoveSoundTags { get; init; } = true;

    /// <summary><c>lyrics_overlap</c>: the share of a segment inside music regions that makes it lyrics.</summary>
    public double LyricsOverlap { get; init; } = 0.5;

    public bool Enabled(string rule) => Rules.Contains(rule, StringComparer.Ordinal);
}
