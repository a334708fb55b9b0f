using System.Globalization;
using System.Text;

namespace Waybill.Core.Lineage;

/// <summary>A Mermaid <c>flowchart LR</c>: ids are n0, n1, …; labels are quoted with every risky character as a Mermaid entity.</summary>
public static class MermaidLineageRenderer
{
    public static string Render(LineageView view)
    {
        var text = new StringBuilder("flowchart LR\n");
        foreach (var node in view.Nodes)
        {
            // Stages are rounded boxes ("( )"), files plain ones ("[ ]").
            var (first, second) = LineageText.BoxLines(node);
            var (open, close) = node is StageNode ? ("(\"", "\")") : ("[\"", "\"]");
            text.Append("  ").Append(Id(node)).Append(open).Append(Escape(first)).Append("<br/>").Append(Escape(second)).Append(close).Append('\n');
        }
        foreach (var link in view.Links)
        {
            text.Append("  ").Append(Id(link.From)).Append(link.CrossesJobs ? " -.->" : " -->");
            if (link.Name is not null) text.Append("|\"").Append(Escape(link.Name)).Append("\"|");
            text.Append(' ').Append(Id(link.To)).Append('\n');
        }
        Classes(view, text);
        return text.ToString();
    }

    private static void Classes(LineageView view, StringBuilder text)
    {
        var groups = view.Nodes.GroupBy(ClassOf).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var sample = group.First();
            var (fill, stroke) = sample is StageNode s ? LineagePalette.Stage(s.Status) : LineagePalette.File((FileNode)sample);
            var dashed = group.Key is "deleted" or "otherjob" ? ",stroke-dasharray:5 4" : "";
            text.Append(CultureInfo.InvariantCulture, $"  classDef {group.Key} fill:{fill},stroke:{stroke}{dashed}\n");
            text.Append("  class ").Append(string.Join(',', group.Select(Id))).Append(' ').Append(group.Key).Append('\n');
        }
        if (view.Focus is { } focus) text.Append("  style ").Append(Id(focus)).Append(" stroke-width:3px,stroke:").Append(LineagePalette.Focus).Append('\n');
    }

    // Mermaid's class names: one per look, so nodes that look alike share one classDef.
    private static string ClassOf(LineageNode node) => node switch
    {
        StageNode { IsOtherJob: true } => "otherjob",
        StageNode s => "st_" + new string([.. s.Status.Where(char.IsAsciiLetterOrDigit)]),
        FileNode { IsDeleted: true } => "deleted",
        FileNode { IsExternal: true } => "external",
        _ => "file",
    };

    public static string Id(LineageNode node) => "n" + node.Index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Text for inside a quoted Mermaid label: quotes, brackets, markup characters and everything outside printable
    /// ASCII become <c>#code;</c> entities, which Mermaid turns back into the character, so no label can end the
    /// node early, open markup, or depend on the file's encoding.
    /// </summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or '_' or '-' or '/' or ':' or ',' or '+' or '=' or '@' or '!' or '?' or '*' or '~' or '^' or '$' or '%')
            {
                escaped.Append(c);
                continue;
            }
            if (c < ' ') continue;
            int code = c;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) code = char.ConvertToUtf32(c, text[++i]);
            escaped.Append('#').Append(code.ToString(CultureInfo.InvariantCulture)).Append(';');
        }
        return escaped.ToString();
    }
}
