using System.Text.RegularExpressions;

namespace Waybill.Core.Caching;

/// <summary>The version number out of a tool's first line ("ffmpeg version 5.1.6-0+deb12u1 Copyright …" → "5.1.6-0+deb12u1").</summary>
internal static partial class ToolVersionText
{
    [GeneratedRegex(@"\b[vV]?(\d+(?:\.\d+)+[0-9A-Za-z.+~-]*)")]
    private static partial Regex VersionNumber();

    /// <summary>"5.1 → 6.0", or the whole lines when their version numbers are equal.</summary>
    public static string Change(string was, string now) =>
        Short(was) != Short(now) ? $"{Short(was)} → {Short(now)}" : $"'{Clip(was)}' → '{Clip(now)}'";

    private static string Clip(string line) => line.Length <= 60 ? line : line[..59] + "…";

    public static string Short(string line)
    {
        var match = VersionNumber().Match(line);
        if (match.Success) return match.Groups[1].Value;
        return line.Length <= 40 ? line : line[..39] + "…";
    }
}
