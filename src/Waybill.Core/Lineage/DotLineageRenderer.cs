using System.Globalization;
using System.Text;

namespace Waybill.Core.Lineage;

/// <summary>Graphviz DOT: node ids are the graph keys, quoted; <c>dot -Tsvg</c> or <c>-Tpng</c> draws it.</summary>
public static class DotLineageRenderer
{
    public static string Render(LineageView view)
    {
        var dot = new StringBuilder();
        dot.Append("digraph ").Append(Quote("lineage " + view.Graph.JobId)).Append(" {\n");
        dot.Append("  graph [rankdir=LR, labelloc=t, fontname=\"Helvetica\", label=").Append(Quote(Title(view))).Append("];\n");
        dot.Append("  node [fontname=\"Helvetica\", fontsize=10];\n");
        dot.Append("  edge [fontname=\"Helvetica\", fontsize=9, color=\"").Append(LineagePalette.Edge).Append("\"];\n");
        foreach (var node in view.Nodes) Node(dot, node, node == view.Focus);
        foreach (var link in view.Links)
        {
            dot.Append("  ").Append(Quote(link.From.Key)).Append(" -> ").Append(Quote(link.To.Key));
            var attributes = new List<string>();
            if (link.Name is not null && link.Kind is LinkKind.Input or LinkKind.Output or LinkKind.Intermediate) attributes.Add("label=" + Quote(link.Name));
            if (link.CrossesJobs) attributes.Add($"style=dashed, color=\"{LineagePalette.CrossJobEdge}\", tooltip={Quote("same checksum: " + link.OtherPath)}");
            if (attributes.Count > 0) dot.Append(" [").Append(string.Join(", ", attributes)).Append(']');
            dot.Append(";\n");
        }
        dot.Append("}\n");
        return dot.ToString();
    }

    private static string Title(LineageView view) => view.Focus is { } focus ? $"lineage of {focus.Label} (job {view.Graph.JobId})" : $"job {view.Graph.JobId}";

    private static void Node(StringBuilder dot, LineageNode node, bool focus)
    {
        dot.Append("  ").Append(Quote(node.Key)).Append(" [");
        switch (node)
        {
            case StageNode stage:
                var (fill, stroke) = LineagePalette.Stage(stage.Status);
                dot.Append(CultureInfo.InvariantCulture, $"shape=box, style=\"rounded,filled{(stage.IsOtherJob ? ",dashed" : "")}\", fillcolor=\"{fill}\", color=\"{stroke}\", ")
                    .Append("label=").Append(Quote(Label(stage)));
                break;
            case FileNode file:
                var (fileFill, fileStroke) = LineagePalette.File(file);
                dot.Append(CultureInfo.InvariantCulture, $"shape=box, style=\"filled{(file.IsDeleted ? ",dashed" : "")}\", fillcolor=\"{fileFill}\", color=\"{fileStroke}\", ")
                    .Append("label=").Append(Quote(Label(file)))
                    .Append(", tooltip=").Append(Quote($"{file.Checksum ?? "no checksum"}, {LineageText.Size(file.SizeBytes)}"));
                break;
        }
        if (focus) dot.Append(", penwidth=3");
        dot.Append("];\n");
    }

    private static string Label(LineageNode node)
    {
        var (first, second) = LineageText.BoxLines(node);
        return first + "\n" + second;
    }

    /// <summary>
    /// A DOT double-quoted string: backslash and quote escaped, line breaks as \n, other control characters dropped.
    /// Graphviz reads backslash-quote as a quote even after an escaped backslash, so a trailing backslash gets a space after it.
    /// </summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': quoted.Append(@"\\"); break;
                case '"': quoted.Append("\\\""); break;
                case '\n': quoted.Append(@"\n"); break;
                case < ' ': break;
                default: quoted.Append(c); break;
            }
        }
        if (text.EndsWith('\\')) quoted.Append(' ');
        return quoted.Append('"').ToString();
    }
}
