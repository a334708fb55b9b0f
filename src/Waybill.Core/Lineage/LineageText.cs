using System.Globalization;

namespace Waybill.Core.Lineage;

/// <summary>The short descriptions every format shows: sizes, checksum prefixes, stage states, tombstones.</summary>
public static class LineageText
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>"812 B", "4.1 KiB", "3.0 MiB"; "size unknown" for folders and unreadable files.</summary>
    public static string Size(long? bytes)
    {
        if (bytes is not { } b) return "size unknown";
        if (b < 1024) return b.ToString(C) + " B";
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        var value = b / 1024.0;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.0", C) + " " + units[unit];
    }

    /// <summary>The algorithm and the first 12 hex digits: enough to tell files apart at a glance.</summary>
    public static string ShortChecksum(string? checksum)
    {
        if (checksum is null) return "no checksum";
        var colon = checksum.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && checksum.Length > colon + 13 ? checksum[..(colon + 13)] : checksum;
    }

    public static string Seconds(double seconds) => seconds.ToString("0.##", C) + "s";

    /// <summary>"success, 3.2s", "failed: exit code 1, 0.4s", "skipped: upstream failed: 01_demux".</summary>
    public static string State(StageNode stage)
    {
        var text = stage.StatusReason is { Length: > 0 } reason ? $"{stage.Status}: {reason}" : stage.Status;
        return stage.DurationSeconds is { } seconds && (seconds > 0 || stage.Status is "success") ? $"{text}, {Seconds(seconds)}" : text;
    }

    /// <summary>"deleted 2025-11-27 (disk space)", or null for a file that was not deleted.</summary>
    public static string? Tombstone(FileNode file) =>
        file.DeletedAt is { } at ? $"deleted {at.UtcDateTime.ToString("yyyy-MM-dd", C)}{(file.DeletedReason is { Length: > 0 } why ? $" ({why})" : "")}" : null;

    /// <summary>The two lines a node's box shows in the drawn formats: its name, then its state or checksum and size.</summary>
    public static (string First, string Second) BoxLines(LineageNode node) => node switch
    {
        StageNode { IsOtherJob: true } s => ($"job {s.JobId}: {s.StageId}", State(s)),
        StageNode s => (s.StageId, State(s)),
        FileNode f => (f.Path, Tombstone(f) ?? $"{ShortChecksum(f.Checksum)} · {Size(f.SizeBytes)}"),
        _ => (node.Label, ""),
    };

    /// <summary>Keeps the start and the end of a long label (the folder and the file name), dropping the middle.</summary>
    public static string Shorten(string text, int max)
    {
        if (text.Length <= max) return text;
        var tail = (max - 1) * 2 / 3;
        var head = max - 1 - tail;
        // Never split a surrogate pair: a half character would be invalid in XML.
        if (head > 0 && char.IsHighSurrogate(text[head - 1])) head--;
        if (char.IsLowSurrogate(text[^tail])) tail--;
        return text[..head] + "…" + text[^tail..];
    }
}
