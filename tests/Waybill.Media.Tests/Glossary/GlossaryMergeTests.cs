using System.Text.Json;
using Waybill.Media.Model;
using Waybill.Media.Stages.Glossary;
using Xunit;

namespace Waybill.Media.Tests.Glossary;

public sealed class GlossaryMergeTests
{
    private const string TmdbJson = """
        {
          "query": { "title": "Iron Man", "year": 2008 },
          "movie": { "id": 1726, "title": "Iron Man", "original_title": "Iron Man", "release_date": "2008-04-30",
                     "overview": "After being held captive in an Afghan cave...", "original_language": "en" },
          "cast": [
            { "name": "Gwyneth Paltrow", "character": "Pepper Potts", "order": 1 },
            { "name": "Robert Downey Jr.", "character": "Tony Stark / Iron Man", "order": 0 },
            { "name": "Paul Bettany", "character": "JARVIS (voice)", "order": 5 },
            { "name": "Stan Lee", "character": "Himself", "order": 9 },
            { "name": "", "character": null, "order": 10 }
          ],
          "crew": [ { "name": "Jon Favreau", "job": "Director" } ]
        }
        """;

    private static TmdbFile Tmdb() => JsonSerializer.Deserialize<TmdbFile>(TmdbJson, MediaJson.Options)!;

    [Fact]
    public void Tmdb_gives_the_title_the_cast_in_billing_order_and_their_characters_without_notes()
    {
        var terms = TmdbNames.Terms(Tmdb());
        Assert.Equal(
            ["title:Iron Man", "cast:Robert Downey Jr.", "cast:Gwyneth Paltrow", "cast:Paul Bettany", "cast:Stan Lee",
             "character:Tony Stark", "character:Iron Man", "character:Pepper Potts", "character:JARVIS"],
            terms.Select(t => $"{t.Kind}:{t.Term}"));
        Assert.All(terms, t => Assert.Equal("tmdb", t.Source));
        Assert.All(terms, t => Assert.Null(t.Translation));
    }

    [Fact]
    public void User_terms_win_over_tmdb_names_ignoring_case_and_every_term_appears_once()
    {
        var user = new List<GlossaryTerm> { new("iron man", "Eisenmann", "user", "character"), new("Arc Reactor", null, "user", "object") };
        var glossary = GlossaryMerger.Merge(user, TmdbNames.Terms(Tmdb()));

        Assert.Equal(new GlossaryTerm("iron man", "Eisenmann", "user", "character"), glossary.Terms[0]);
        Assert.Single(glossary.Terms, t => t.Term.Equals("Iron Man", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(glossary.Terms.Count, glossary.Terms.Select(t => t.Term.ToUpperInvariant()).Distinct().Count());
        Assert.Contains(new GlossaryTerm("Tony Stark", null, "tmdb", "character"), glossary.Terms);
        // TMDB has "Iron Man" twice (title and character); the user's "iron man" replaces both.
        Assert.Equal(2 + 9 - 2, glossary.Terms.Count);
    }
}
