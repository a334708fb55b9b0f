using Waybill.Core.Pipeline.FanOut;

namespace Waybill.Cli.Commands;

/// <summary>
/// The videos <c>waybill subtitle</c> was given: files as named, folders as their video files (by extension, sorted).
/// One file is one video as before; a folder or several files are a season, run as one job with one chain per video.
/// Everything wrong is said at once, before a job folder exists.
/// </summary>
internal sealed record SubtitleVideos(IReadOnlyList<string> Paths, bool IsSeason)
{
    /// <summary>What a folder's video files end with (compared ignoring case).</summary>
    public static readonly string[] Extensions =
        [".mkv", ".mp4", ".m4v", ".mov", ".avi", ".webm", ".ts", ".m2ts", ".mts", ".mpg", ".mpeg", ".wmv", ".flv", ".ogv", ".3gp"];

    public static SubtitleVideos From(IReadOnlyList<string> arguments)
    {
        var paths = new List<string>();
        var problems = new List<string>();
        var season = arguments.Count > 1;
        foreach (var argument in arguments)
        {
            var full = Path.GetFullPath(argument);
            if (File.Exists(full)) paths.Add(full);
            else if (Directory.Exists(full))
            {
                season = true;
                var found = VideosIn(full);
                if (found.Count == 0) problems.Add($"no video files in {full} (looked for {string.Join(", ", Extensions)})");
                paths.AddRange(found);
            }
            else problems.Add($"video not found: {full}");
        }
        paths = [.. paths.Distinct(StringComparer.Ordinal)];
        var collisions = season ? KeyProblems(paths).ToList() : [];
        problems.AddRange(collisions);
        if (problems.Count > 0)
            throw new CliException(string.Join(Environment.NewLine, problems), collisions.Count == 0 ? null
                : "a video's key (its file name in lower case, other characters as '-') names its folders: rename the file, or leave it out");
        return new SubtitleVideos(paths, season);
    }

    private static List<string> VideosIn(string folder) =>
        [.. Directory.EnumerateFiles(folder)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];

    /// <summary>Names that cannot be items: not UTF-8, or two videos with the same key (the same rule as foreach: files).</summary>
    private static IEnumerable<string> KeyProblems(List<string> paths)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < paths.Count; i++)
        {
            // .NET reads a name that is not UTF-8 with U+FFFD in place of its bytes, and could not open the file by it.
            if (paths[i].Contains('\uFFFD', StringComparison.Ordinal))
            {
                yield return $"'{ItemList.Printable(paths[i])}': the name is not valid UTF-8 (rename it, e.g. with convmv)";
                continue;
            }
            var key = ItemKeys.FromFileName(paths[i]);
            if (key.Length == 0) key = "item-" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (seen.TryGetValue(key, out var first))
                yield return $"videos '{ItemList.Printable(first)}' and '{ItemList.Printable(paths[i])}' both get the key '{key}'";
            else seen[key] = paths[i];
        }
    }
}
