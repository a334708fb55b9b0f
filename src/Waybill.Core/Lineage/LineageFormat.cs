namespace Waybill.Core.Lineage;

public enum LineageFormat
{
    Text,
    Dot,
    Mermaid,
    Svg,
    Html,
}

/// <summary>Renders a view in any format; the names are those <c>waybill lineage --format</c> takes.</summary>
public static class LineageRenderer
{
    public static IReadOnlyList<string> FormatNames { get; } = ["text", "dot", "mermaid", "svg", "html"];

    public static LineageFormat? ParseFormat(string name) => name.ToLowerInvariant() switch
    {
        "text" => LineageFormat.Text,
        "dot" => LineageFormat.Dot,
        "mermaid" => LineageFormat.Mermaid,
        "svg" => LineageFormat.Svg,
        "html" => LineageFormat.Html,
        _ => null,
    };

    public static string Render(LineageView view, LineageFormat format, TextStyle? textStyle = null) => format switch
    {
        LineageFormat.Dot => DotLineageRenderer.Render(view),
        LineageFormat.Mermaid => MermaidLineageRenderer.Render(view),
        LineageFormat.Svg => SvgLineageRenderer.Render(view),
        LineageFormat.Html => HtmlLineageRenderer.Render(view),
        _ => new TextLineageRenderer(textStyle ?? new TextStyle()).Render(view),
    };
}
