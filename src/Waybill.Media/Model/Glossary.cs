namespace Waybill.Media.Model;

/// <summary>A name or term to keep as written (or translate as given): from TMDB or the user's glossary.</summary>
public sealed record GlossaryTerm(string Term, string? Translation, string Source, string? Kind);

/// <summary><c>03_glossary_load/glossary.json</c>.</summary>
public sealed class Glossary
{
    public List<GlossaryTerm> Terms { get; init; } = [];
}
