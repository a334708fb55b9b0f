using System.Text;

namespace Waybill.Core.Lineage;

/// <summary>How the text format draws: box-drawing and arrows, or plain ASCII; ANSI colours only for a terminal.</summary>
public sealed record TextStyle(bool Ascii = false, bool Color = false);

/// <summary>
/// The text format: an indented tree per direction around a focus (upstream first, then downstream), or, for a
/// whole job, each stage with what it read and wrote. A node met twice in one tree is expanded once, so a shared
/// ancestor prints its own history a single time.
/// </summary>
public sealed class TextLineageRenderer(TextStyle style)
{
    private string Branch => style.Ascii ? "|- " : "├─ ";
    private string LastBranch => style.Ascii ? "`- " : "└─ ";
    private string Pipe => style.Ascii ? "|  " : "│  ";
    private string Back => style.Ascii ? "<-" : "←";
    private string Forward => style.Ascii ? "->" : "→";
    private string Dash => style.Ascii ? "-" : "—";

    public string Render(LineageView view)
    {
        var text = new StringBuilder();
        if (view.Focus is { } focus) RenderFocus(view, focus, text);
        else RenderJob(view, text);
        return text.ToString();
    }

    private void RenderFocus(LineageView view, LineageNode focus, StringBuilder text)
    {
        text.Append(Bold(Describe(focus))).Append("  (job ").Append(view.Graph.JobId).Append(')').Append('\n');
        if (view.Direction.HasFlag(LineageDirection.Upstream)) Section(upstream: true);
        if (view.Direction.HasFlag(LineageDirection.Downstream)) Section(upstream: false);

        void Section(bool upstream)
        {
            text.Append(upstream ? "upstream:" : "downstream:").Append('\n');
            var links = Next(view, focus, upstream);
            if (links.Count == 0)
            {
                text.Append("  ").Append(upstream ? "(nothing upstream)" : "(nothing downstream)").Append('\n');
                return;
            }
            var expanded = new HashSet<LineageNode> { focus };
            for (var i = 0; i < links.Count; i++) Tree(view, links[i], upstream, "  ", i == links.Count - 1, expanded, text);
        }
    }

    private void Tree(LineageView view, LineageLink link, bool upstream, string indent, bool last, HashSet<LineageNode> expanded, StringBuilder text)
    {
        var node = upstream ? link.From : link.To;
        var again = !expanded.Add(node);
        text.Append(indent).Append(last ? LastBranch : Branch).Append(upstream ? Back : Forward).Append(' ')
            .Append(Describe(node)).Append(Via(link)).Append(again ? "  (see above)" : "").Append('\n');
        if (again) return;
        var children = Next(view, node, upstream);
        var childIndent = indent + (last ? "   " : Pipe);
        for (var i = 0; i < children.Count; i++) Tree(view, children[i], upstream, childIndent, i == children.Count - 1, expanded, text);
    }

    private void RenderJob(LineageView view, StringBuilder text)
    {
        var graph = view.Graph;
        var stages = view.Nodes.OfType<StageNode>().Where(s => !s.IsOtherJob).ToList();
        var files = view.Nodes.OfType<FileNode>().Count();
        text.Append(Bold($"job {graph.JobId}")).Append(graph.Pipeline is null ? "" : $" {Dash} pipeline {graph.Pipeline}")
            .Append(graph.JobStatus is null ? "" : $" {Dash} {Status(graph.JobStatus)}")
            .Append($" {Dash} {stages.Count} stage{(stages.Count == 1 ? "" : "s")}, {files} file{(files == 1 ? "" : "s")}").Append('\n');
        foreach (var stage in stages)
        {
            text.Append('\n').Append(Describe(stage)).Append('\n');
            var inputs = view.Incoming(stage).ToList();
            var outputs = view.Outgoing(stage).ToList();
            var all = inputs.Select(l => (Link: l, Upstream: true)).Concat(outputs.Select(l => (Link: l, Upstream: false))).ToList();
            if (all.Count == 0) text.Append(LastBranch).Append("(no files recorded)").Append('\n');
            for (var i = 0; i < all.Count; i++)
            {
                var (link, upstream) = all[i];
                var last = i == all.Count - 1;
                var file = upstream ? link.From : link.To;
                text.Append(last ? LastBranch : Branch).Append(upstream ? Back : Forward).Append(' ')
                    .Append(link.Name is null ? "" : link.Name + ": ").Append(Describe(file)).Append('\n');
                // An input's producer and an output's readers: where the file came from, where it went.
                var related = (upstream ? view.Incoming(file) : view.Outgoing(file)).ToList();
                for (var j = 0; j < related.Count; j++)
                {
                    var other = upstream ? related[j].From : related[j].To;
                    text.Append(last ? "   " : Pipe).Append(j == related.Count - 1 ? LastBranch : Branch)
                        .Append(upstream ? $"{Back} from " : $"{Forward} read by ").Append(Describe(other)).Append(CrossJobNote(related[j])).Append('\n');
                }
            }
        }
    }

    private static List<LineageLink> Next(LineageView view, LineageNode node, bool upstream) =>
        [.. upstream ? view.Incoming(node) : view.Outgoing(node)];

    private string Describe(LineageNode node) => node switch
    {
        StageNode { IsOtherJob: true } s => $"job {s.JobId}, stage {s.StageId} ({Status(LineageText.State(s), s.Status)})",
        StageNode s => $"{s.StageId} ({Status(LineageText.State(s), s.Status)}){Reused(s)}",
        FileNode f => $"{f.Path}  {Dim(LineageText.ShortChecksum(f.Checksum))}  {LineageText.Size(f.SizeBytes)}{Extra(f)}",
        _ => node.Label,
    };

    /// <summary>A stage whose outputs came from the result cache names the run that made them.</summary>
    private string Reused(StageNode stage) => stage.ReusedFrom is { } from ? "  " + Paint($"[reused from {from}]", "36") : "";

    private string Extra(FileNode file)
    {
        var extra = "";
        if (file.IsExternal) extra += "  [external]";
        if (file.IsIntermediate) extra += "  [intermediate]";
        if (LineageText.Tombstone(file) is { } deleted) extra += "  " + Paint($"[{deleted}]", "33");
        return extra;
    }

    /// <summary>What the link adds to the line: the input name a stage read the file under, or the other job's path.</summary>
    private static string Via(LineageLink link) => link.Kind == LinkKind.Input && link.Name is not null ? $"  (input {link.Name})" : CrossJobNote(link);

    private static string CrossJobNote(LineageLink link) => link.Kind switch
    {
        LinkKind.ProducedByOtherJob => $"  (same checksum as its output {link.OtherPath})",
        LinkKind.ReadByOtherJob => $"  (same checksum as its input {link.Name ?? link.OtherPath})",
        _ => "",
    };

    private string Status(string text, string? status = null) => (status ?? text) switch
    {
        "success" => Paint(text, "32"),
        "failed" => Paint(text, "31"),
        "skipped" => Paint(text, "33"),
        "running" => Paint(text, "34"),
        _ => Paint(text, "90"),
    };

    private string Bold(string text) => Paint(text, "1");

    private string Dim(string text) => Paint(text, "2");

    private string Paint(string text, string code) => style.Color ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
