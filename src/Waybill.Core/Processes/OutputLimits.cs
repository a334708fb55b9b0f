using System.Globalization;

namespace Waybill.Core.Processes;

/// <summary>
/// How much of one output stream of a child is delivered line by line. A line longer than <see cref="MaxLineBytes"/> is
/// cut there (with a note of the bytes dropped), so memory stays bounded whatever the child writes. The first
/// <see cref="HeadBytes"/> and the last <see cref="TailBytes"/> of the stream are delivered; the middle is dropped with a
/// note of how much. Each side also keeps at most one line per <see cref="LineOverheadBytes"/> of its budget, so very
/// short lines, each costing a log prefix, cannot make the logs much larger than the budget.
/// </summary>
public sealed record OutputLimits(int MaxLineBytes, long HeadBytes, long TailBytes)
{
    /// <summary>The longest line delivered whole: 1 MiB.</summary>
    public const int DefaultMaxLineBytes = 1 << 20;

    /// <summary>The head and the tail a stage keeps of each stream by default: 16 MiB each.</summary>
    public const long DefaultKeepBytes = 16L << 20;

    /// <summary>About what a line's prefix costs in stage.log and events.jsonl.</summary>
    public const int LineOverheadBytes = 64;

    /// <summary>The environment variable (engine, pipeline or stage <c>env:</c>) that sets a stage's head and tail size.</summary>
    public const string Variable = "WAYBILL_OUTPUT_LIMIT";

    private const long SmallestKeep = 1024;

    /// <summary>
    /// The largest head and tail a setting may ask for: 1 GiB each. The tail is one buffer of that size, allocated once
    /// the head is full, so a larger setting would ask the engine for more memory than a log is worth ('unlimited' keeps
    /// every line without a tail buffer).
    /// </summary>
    public const long MaxKeepBytes = 1L << 30;

    /// <summary>Every line delivered, long ones cut: for output a stage reads rather than logs.</summary>
    public static OutputLimits LinesOnly { get; } = new(DefaultMaxLineBytes, long.MaxValue, 0);

    /// <summary>What a stage keeps of a stream it logs, unless <see cref="Variable"/> says otherwise.</summary>
    public static OutputLimits StageDefault { get; } = Keep(DefaultKeepBytes);

    /// <summary>True when nothing but over-long lines is ever dropped.</summary>
    public bool KeepsAll => HeadBytes == long.MaxValue;

    internal long HeadLines => KeepsAll ? long.MaxValue : Math.Max(1, HeadBytes / LineOverheadBytes);

    internal int TailLines => (int)Math.Min(int.MaxValue, Math.Max(1, TailBytes / LineOverheadBytes));

    /// <summary>Head and tail of <paramref name="bytes"/> each; lines are cut at the smaller of 1 MiB and that size.</summary>
    public static OutputLimits Keep(long bytes)
    {
        var keep = Math.Max(bytes, SmallestKeep);
        return new OutputLimits((int)Math.Min(DefaultMaxLineBytes, keep), keep, keep);
    }

    /// <summary>
    /// Reads a setting such as <c>16M</c>, <c>512K</c>, <c>1G</c>, a number of bytes, or <c>unlimited</c> (every line
    /// kept, long lines still cut). Null or empty gives the default; anything else unreadable gives null.
    /// </summary>
    public static OutputLimits? Parse(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting)) return StageDefault;
        var text = setting.Trim();
        if (text.Equals("unlimited", StringComparison.OrdinalIgnoreCase)) return LinesOnly;
        var unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, _ => 0 };
        var digits = unit == 0 ? text : text[..^1];
        if (digits.EndsWith("i", StringComparison.OrdinalIgnoreCase)) return null;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > (MaxKeepBytes >> unit)) return null;
        return Keep(number << unit);
    }
}
