using System.Globalization;
using System.Text.RegularExpressions;

namespace Waybill.Media.Stages.Tmdb;

/// <summary>What to search TMDB for: a title and, when known, the release year.</summary>
public sealed partial record TitleQuery(string Title, int? Year)
{
    public override string ToString() => Year is { } year ? $"{Title} ({year.ToString(CultureInfo.InvariantCulture)})" : Title;

    /// <summary>
    /// Config <c>title</c> as a person writes it: <c>Movie (2019)</c> or just <c>Movie</c>. Only a year in brackets
    /// counts as the year (<c>Blade Runner 2049</c> is a title), and dots stay (<c>Dr. Strangelove</c>).
    /// </summary>
    public static TitleQuery? FromTitle(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var trimmed = Spaces().Replace(text.Trim(), " ");
        var match = TrailingYear().Match(trimmed);
        if (match.Success && match.Groups["title"].Value.Trim().Length > 0)
            return new TitleQuery(match.Groups["title"].Value.Trim(), int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture));
        return new TitleQuery(trimmed, null);
    }

    /// <summary>
    /// A release file name: <c>The.Movie.2019.1080p.BluRay.x264.mkv</c>, <c>Movie (2019).mp4</c>, <c>movie_title-2019.mkv</c>,
    /// <c>Movie.mkv</c>. The year is the last year-like number before the first release tag (resolution, source,
    /// codec), so <c>Blade.Runner.2049.2017.2160p</c> is "Blade Runner 2049" (2017) and <c>1917.2019</c> is "1917" (2019).
    /// </summary>
    public static TitleQuery? FromFileName(string fileName)
    {
        var name = Path.GetFileNameWithoutExtension(fileName.Trim());
        if (name.Length == 0) return null;
        var tag = ReleaseTag().Match(name);
        var head = tag.Success && tag.Index > 0 ? name[..tag.Index] : name;

        Match? year = null;
        foreach (Match candidate in YearToken().Matches(head))
            if (Clean(head[..candidate.Index]).Length > 0) year = candidate;

        var title = Clean(year is null ? head : head[..year.Index]);
        if (title.Length == 0) return null;
        return new TitleQuery(title, year is null ? null : int.Parse(year.Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Dots and underscores become spaces; brackets and separators at the ends go.</summary>
    private static string Clean(string text)
    {
        var spaced = Separators().Replace(text, " ");
        spaced = Brackets().Replace(spaced, " ");
        spaced = Spaces().Replace(spaced, " ").Trim(' ', '-', '–', ',', '+');
        return spaced.Trim();
    }

    [GeneratedRegex(@"^(?<title>.+?)\s*[(\[](?<year>\d{4})[)\]]$")]
    private static partial Regex TrailingYear();

    /// <summary>A year standing on its own (not part of 1080p or x2640).</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:19|20)\d{2}(?![A-Za-z0-9])")]
    private static partial Regex YearToken();

    /// <summary>Tags that start the technical part of a release name (resolution, source, codec).</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:\d{3,4}[pi]|4k|uhd|blu-?ray|bdrip|brrip|web-?dl|web-?rip|hdtv|hdrip|dvdrip|dvdscr|remux|x264|x265|h\.?264|h\.?265|hevc|xvid|divx)(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex ReleaseTag();

    [GeneratedRegex(@"[._]+")]
    private static partial Regex Separators();

    [GeneratedRegex(@"[()\[\]{}]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
