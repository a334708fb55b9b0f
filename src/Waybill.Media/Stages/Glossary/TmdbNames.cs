using System.Text.RegularExpressions;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Glossary;

/// <summary>
/// <c>02_tmdb/tmdb.json</c> as 02_tmdb writes it: the query, the movie, its cast and crew.
/// Only the fields the glossary needs are read; others (the query, crew details) are ignored.
/// </summary>
public sealed class TmdbFile
{
    public TmdbMovie? Movie { get; init; }
    public List<TmdbCast> Cast { get; init; } = [];
    public List<TmdbCrew> Crew { get; init; } = [];
}

public sealed record TmdbMovie(long Id, string? Title, string? OriginalTitle, string? ReleaseDate, string? Overview, string? OriginalLanguage);

public sealed record TmdbCast(string? Name, string? Character, int Order);

public sealed record TmdbCrew(string? Name, string? Job);

/// <summary>The names a translation must keep: the title, the actors, and the characters they play.</summary>
public static partial class TmdbNames
{
    public const string Source = "tmdb";

    /// <summary>TMDB characters such as "Self", "Himself" or "Narrator (voice)" are roles, not names worth keeping.</summary>
    private static readonly HashSet<string> NotNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "self", "himself", "herself", "themselves", "narrator", "voice", "additional voices", "extra", "uncredited",
    };

    public static List<GlossaryTerm> Terms(TmdbFile tmdb)
    {
        var terms = new List<GlossaryTerm>();
        if (!string.IsNullOrWhiteSpace(tmdb.Movie?.Title)) terms.Add(new(tmdb.Movie.Title.Trim(), null, Source, "title"));
        var cast = tmdb.Cast.OrderBy(c => c.Order).ToList();
        foreach (var member in cast)
            if (!string.IsNullOrWhiteSpace(member.Name)) terms.Add(new(member.Name.Trim(), null, Source, "cast"));
        foreach (var member in cast)
            foreach (var character in Characters(member.Character))
                terms.Add(new(character, null, Source, "character"));
        return terms;
    }

    /// <summary>"Tony Stark / Iron Man (voice)" is two names: TMDB joins aliases with '/' and adds notes in parentheses.</summary>
    internal static IEnumerable<string> Characters(string? character)
    {
        if (string.IsNullOrWhiteSpace(character)) yield break;
        foreach (var part in character.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = Parenthesised().Replace(part, "").Trim();
            if (name.Length > 0 && !NotNames.Contains(name)) yield return name;
        }
    }

    [GeneratedRegex(@"\s*\([^)]*\)")]
    private static partial Regex Parenthesised();
}
