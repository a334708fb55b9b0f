using Waybill.Media.Model;

namespace Waybill.Media.Stages.Glossary;

/// <summary>
/// Joins the user's terms with TMDB's names. Terms are compared case-insensitively; the user's entry wins
/// (the user may give a translation or a kind for a name TMDB also found). The user's terms come first, in file order.
/// </summary>
public static class GlossaryMerger
{
    public static Model.Glossary Merge(IEnumerable<GlossaryTerm> user, IEnumerable<GlossaryTerm> tmdb)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var terms = new List<GlossaryTerm>();
        foreach (var term in user.Concat(tmdb))
            if (seen.Add(term.Term)) terms.Add(term);
        return new Model.Glossary { Terms = terms };
    }
}
