using System.Text.Json.Serialization;

namespace Waybill.Media.Stages.Tmdb;

// 02_tmdb/tmdb.json. 03_glossary_load reads this exact shape: keep the field names, and keep nulls written
// (MediaJson leaves nulls out by default) so that "movie": null says "searched, no match".

/// <summary>What was searched for.</summary>
public sealed record TmdbQuery(
    string Title,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Year);

/// <summary>The matched movie.</summary>
public sealed record TmdbMovieInfo(
    long Id,
    string Title,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? OriginalTitle,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ReleaseDate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Overview,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? OriginalLanguage);

/// <summary>An actor and the character they play; <c>Order</c> is TMDB's billing order (0 first).</summary>
public sealed record TmdbCastMember(
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Character,
    int Order);

/// <summary>A director or writer (<c>Job</c>: Director, Writer or Screenplay).</summary>
public sealed record TmdbCrewMember(string Name, string Job);

/// <summary><c>02_tmdb/tmdb.json</c>: <c>{"query":{"title","year"},"movie":{…}|null,"cast":[…],"crew":[…]}</c>.</summary>
public sealed class TmdbResult
{
    public required TmdbQuery Query { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public TmdbMovieInfo? Movie { get; init; }

    public List<TmdbCastMember> Cast { get; init; } = [];
    public List<TmdbCrewMember> Crew { get; init; } = [];
}
