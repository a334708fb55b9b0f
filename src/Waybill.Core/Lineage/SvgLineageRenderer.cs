using System.Globalization;
using System.Text;

namespace Waybill.Core.Lineage;

/// <summary>
/// A self-contained SVG drawn from <see cref="LineageLayout"/>: stages as rounded boxes coloured by status, files as
/// plain boxes (dashed once deleted), links as curves with arrowheads, a <c>&lt;title&gt;</c> tooltip on everything.
/// Element ids are n0, n1, … with the graph key in <c>data-key</c>, which the HTML page uses.
/// </summary>
public static class SvgLineageRenderer
{
    private const double FontSize = 12;
    private const double CharWidth = 7.3; // a monospace glyph at 12px, rounded up so labels never overflow their box
    private const double PaddingX = 10;
    private const double BoxHeight = 40;
    private const int MaxLabel = 56;

    /// <summary>The SVG markup. <paramref name="xmlns"/> is needed for a .svg file; inline in HTML the parser supplies it.</summary>
    public static string Render(LineageView view, bool xmlns = true)
    {
        var layout = LineageLayout.Compute(view, Measure);
        var c = CultureInfo.InvariantCulture;
        var svg = new StringBuilder(256 + (view.Nodes.Count * 420) + (view.Links.Count * 200));
        svg.Append("<svg").Append(xmlns ? " xmlns=\"http://www.w3.org/2000/svg\"" : "")
            .Append(c, $" class=\"lineage\" width=\"{layout.Width:0}\" height=\"{layout.Height:0}\" viewBox=\"0 0 {layout.Width:0} {layout.Height:0}\"")
            .Append(c, $" font-family=\"ui-monospace, Menlo, Consolas, monospace\" font-size=\"{FontSize}\">\n");
        svg.Append("<title>").Append(XmlText.Escape(view.Focus is { } focus ? $"lineage of {focus.Label} (job {view.Graph.JobId})" : $"lineage of job {view.Graph.JobId}")).Append("</title>\n");
        svg.Append("<defs>").Append(Marker("lineage-arrow", LineagePalette.Edge)).Append(Marker("lineage-arrow-job", LineagePalette.CrossJobEdge)).Append("</defs>\n");
        svg.Append("<g class=\"edges\">\n");
        for (var i = 0; i < layout.Routes.Count; i++) Edge(svg, i, layout.Routes[i].Link, layout.Routes[i].Points);
        svg.Append("</g>\n<g class=\"nodes\">\n");
        foreach (var node in view.Nodes) Node(svg, node, layout.Boxes[node], node == view.Focus);
        svg.Append("</g>\n</svg>\n");
        return svg.ToString();
    }

    public static string ElementId(LineageNode node) => "n" + node.Index.ToString(CultureInfo.InvariantCulture);

    private static string Marker(string id, string color) =>
        $"<marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"{color}\"/></marker>";

    private static (double Width, double Height) Measure(LineageNode node)
    {
        var (first, second) = LineageText.BoxLines(node);
        var columns = Math.Max(Columns(LineageText.Shorten(first, MaxLabel)), Columns(LineageText.Shorten(second, MaxLabel)));
        return ((columns * CharWidth) + (2 * PaddingX), BoxHeight);
    }

    // Wide (East Asian, emoji) characters take two monospace columns.
    private static int Columns(string text)
    {
        var columns = 0;
        foreach (var ch in text)
        {
            if (char.IsLowSurrogate(ch)) continue;
            columns += ch >= '\u2E80' ? 2 : 1;
        }
        return columns;
    }

    private static void Edge(StringBuilder svg, int index, LineageLink link, IReadOnlyList<LineageLayout.Point> points)
    {
        var c = CultureInfo.InvariantCulture;
        var kind = link.Kind switch
        {
            LinkKind.Input => "input",
            LinkKind.Output => "output",
            LinkKind.Intermediate => "intermediate",
            _ => "cross-job",
        };
        svg.Append(c, $"<path id=\"e{index}\" class=\"edge {kind}\" data-from=\"{ElementId(link.From)}\" data-to=\"{ElementId(link.To)}\" d=\"M{points[0].X:0.#},{points[0].Y:0.#}");
        for (var i = 1; i < points.Count; i++)
        {
            var (a, b) = (points[i - 1], points[i]);
            var bend = (b.X - a.X) / 2;
            svg.Append(c, $" C{a.X + bend:0.#},{a.Y:0.#} {b.X - bend:0.#},{b.Y:0.#} {b.X:0.#},{b.Y:0.#}");
        }
        var color = link.CrossesJobs ? LineagePalette.CrossJobEdge : LineagePalette.Edge;
        svg.Append(c, $"\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.3\"{(link.CrossesJobs ? " stroke-dasharray=\"6 4\"" : "")} marker-end=\"url(#{(link.CrossesJobs ? "lineage-arrow-job" : "lineage-arrow")})\">");
        svg.Append("<title>").Append(XmlText.Escape(EdgeTitle(link))).Append("</title></path>\n");
    }

    private static string EdgeTitle(LineageLink link) => link.Kind switch
    {
        LinkKind.Input => $"{link.To.Label} reads {link.From.Label}{(link.Name is null ? "" : $" as input {link.Name}")}",
        LinkKind.Output => $"{link.From.Label} writes {link.To.Label}{(link.Name is null ? "" : $" (output {link.Name})")}",
        LinkKind.Intermediate => $"{link.From.Label} keeps the intermediate file {link.To.Label}",
        LinkKind.ProducedByOtherJob => $"same checksum as {link.OtherPath}, an output of {link.From.Label}",
        _ => $"same checksum as {link.OtherPath}, an input of {link.To.Label}",
    };

    private static void Node(StringBuilder svg, LineageNode node, LineageLayout.Box box, bool focus)
    {
        var c = CultureInfo.InvariantCulture;
        var (first, second) = LineageText.BoxLines(node);
        string classes, fill, stroke, extra = "";
        double radius;
        switch (node)
        {
            case StageNode stage:
                (fill, stroke) = LineagePalette.Stage(stage.Status);
                classes = $"node stage status-{Css(stage.Status)}{(stage.IsOtherJob ? " other-job" : "")}";
                radius = 8;
                if (stage.IsOtherJob) extra = " stroke-dasharray=\"6 3\"";
                break;
            case FileNode file:
                (fill, stroke) = LineagePalette.File(file);
                classes = $"node file{(file.IsExternal ? " external" : "")}{(file.IsDeleted ? " deleted" : "")}";
                radius = 0;
                if (file.IsDeleted) extra = " stroke-dasharray=\"5 3\"";
                break;
            default:
                (fill, stroke, classes, radius) = ("#ffffff", "#000000", "node", 0);
                break;
        }
        if (focus)
        {
            classes += " focus";
            stroke = LineagePalette.Focus;
        }
        svg.Append(c, $"<g id=\"{ElementId(node)}\" class=\"{classes}\" data-key=\"{XmlText.Escape(node.Key)}\" transform=\"translate({box.X:0.#},{box.Y:0.#})\">");
        svg.Append("<title>").Append(XmlText.Escape(Tooltip(node))).Append("</title>");
        svg.Append(c, $"<rect width=\"{box.Width:0.#}\" height=\"{box.Height:0.#}\" rx=\"{radius}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{(focus ? 3 : 1.4)}\"{extra}/>");
        svg.Append(c, $"<text x=\"{PaddingX}\" y=\"16\"{(node is StageNode ? " font-weight=\"bold\"" : "")}>").Append(XmlText.Escape(LineageText.Shorten(first, MaxLabel))).Append("</text>");
        svg.Append(c, $"<text x=\"{PaddingX}\" y=\"32\" fill=\"#4a4a4a\" font-size=\"11\">").Append(XmlText.Escape(LineageText.Shorten(second, MaxLabel))).Append("</text>");
        svg.Append("</g>\n");
    }

    /// <summary>The full story of a node, for its hover tooltip.</summary>
    public static string Tooltip(LineageNode node) => node switch
    {
        StageNode s => string.Join('\n', new[]
        {
            s.IsOtherJob ? $"job {s.JobId}, stage {s.StageId}" : $"stage {s.StageId} ({s.Name})",
            LineageText.State(s),
            s.Kind is null ? null : $"kind {s.Kind}",
            s.RunId is null ? null : $"run {s.RunId}",
            s.ReusedFrom is null ? null : $"reused from {s.ReusedFrom} (result cache)",
        }.Where(line => line is not null)),
        FileNode f => string.Join('\n', new[]
        {
            f.Path,
            f.Checksum ?? "no checksum",
            f.SizeBytes is { } bytes ? $"{LineageText.Size(bytes)} ({bytes.ToString(CultureInfo.InvariantCulture)} bytes)" : LineageText.Size(null),
            f.Type is null ? null : $"type {f.Type}",
            f.IsExternal ? "external file" : null,
            f.IsIntermediate ? "retained intermediate file" : null,
            LineageText.Tombstone(f),
        }.Where(line => line is not null)),
        _ => node.Label,
    };

    private static string Css(string text) => new([.. text.Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-')]);
}
