using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Waybill.Core.Lineage;

/// <summary>
/// One self-contained HTML page: the SVG inline, a details panel, a table of every file, and a small inline script
/// that highlights what lies upstream and downstream of a clicked node. Nothing is fetched: no script, style, font
/// or image comes from elsewhere, so the page works offline and from an archive. Opening it with
/// <c>#focus=&lt;key or element id&gt;</c> in the address highlights that node at once.
/// </summary>
public static class HtmlLineageRenderer
{
    public static string Render(LineageView view)
    {
        var title = view.Focus is { } focus ? $"Lineage of {focus.Label} (job {view.Graph.JobId})" : $"Lineage of job {view.Graph.JobId}";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>").Append(XmlText.Escape(title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>").Append(XmlText.Escape(title)).Append("</h1><p>").Append(XmlText.Escape(Summary(view)))
            .Append(" Click a stage or file to highlight what it came from and what came of it; click the background to clear.</p></header>\n");
        html.Append("<main>\n<div id=\"graph\">\n").Append(SvgLineageRenderer.Render(view, xmlns: false)).Append("</div>\n");
        html.Append("<aside id=\"details\"><p class=\"hint\">No node selected.</p></aside>\n</main>\n");
        FileTable(view, html);
        html.Append("<script type=\"application/json\" id=\"lineage-data\">").Append(Data(view)).Append("</script>\n");
        html.Append("<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Summary(LineageView view)
    {
        var stages = view.Nodes.OfType<StageNode>().Count(s => !s.IsOtherJob);
        var others = view.Nodes.OfType<StageNode>().Count(s => s.IsOtherJob);
        var files = view.Nodes.OfType<FileNode>().Count();
        var pipeline = view.Graph.Pipeline is null ? "" : $"Pipeline {view.Graph.Pipeline}, job {view.Graph.JobStatus ?? "status unknown"}. ";
        return $"{pipeline}{Count(stages, "stage")}, {Count(files, "file")}{(others > 0 ? $", {Count(others, "stage")} of other jobs" : "")}.";
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private static void FileTable(LineageView view, StringBuilder html)
    {
        html.Append("<section id=\"files\"><h2>Files</h2>\n<table>\n<thead><tr><th>Path</th><th>Location</th><th>Type</th><th>Size</th><th>Checksum</th><th>Written by</th><th>Read by</th><th>State</th></tr></thead>\n<tbody>\n");
        foreach (var file in view.Nodes.OfType<FileNode>())
        {
            var writers = string.Join(", ", view.Incoming(file).Select(l => l.From.Label));
            var readers = string.Join(", ", view.Outgoing(file).Select(l => l.To.Label));
            html.Append("<tr data-node=\"").Append(SvgLineageRenderer.ElementId(file)).Append("\">");
            foreach (var cell in new[]
            {
                file.Path, file.Location, file.Type ?? "", LineageText.Size(file.SizeBytes), file.Checksum ?? "", writers, readers,
                LineageText.Tombstone(file) ?? (file.IsIntermediate ? "retained intermediate" : "present"),
            })
                html.Append("<td>").Append(XmlText.Escape(cell)).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n</section>\n");
    }

    /// <summary>Each node's details as JSON; the default encoder escapes &lt; &gt; &amp; so no value can close the script element.</summary>
    private static string Data(LineageView view)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var node in view.Nodes)
            {
                json.WriteStartObject(SvgLineageRenderer.ElementId(node));
                json.WriteString("key", node.Key);
                json.WriteString("title", node.Label);
                json.WriteStartArray("facts");
                foreach (var (name, value) in Facts(view, node))
                {
                    json.WriteStartArray();
                    json.WriteStringValue(name);
                    json.WriteStringValue(value);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static IEnumerable<(string Name, string Value)> Facts(LineageView view, LineageNode node)
    {
        switch (node)
        {
            case StageNode s:
                if (s.IsOtherJob) yield return ("job", s.JobId);
                yield return ("stage", s.StageId);
                yield return ("name", s.Name);
                yield return ("status", s.Status);
                if (s.StatusReason is not null) yield return ("reason", s.StatusReason);
                if (s.ReusedFrom is not null) yield return ("reused from", s.ReusedFrom);
                if (s.DurationSeconds is { } seconds) yield return ("duration", LineageText.Seconds(seconds));
                if (s.Kind is not null) yield return ("kind", s.Kind);
                if (s.RunId is not null) yield return ("run", s.RunId);
                if (s.JobRoot is not null) yield return ("job folder", s.JobRoot);
                break;
            case FileNode f:
                yield return ("path", f.Path);
                yield return ("location", f.Location);
                if (f.Type is not null) yield return ("type", f.Type);
                yield return ("size", f.SizeBytes is { } bytes ? $"{LineageText.Size(bytes)} ({bytes.ToString(CultureInfo.InvariantCulture)} bytes)" : LineageText.Size(null));
                yield return ("checksum", f.Checksum ?? "none");
                if (f.IsIntermediate) yield return ("intermediate", "retained");
                if (LineageText.Tombstone(f) is { } deleted) yield return ("deleted", deleted);
                break;
        }
        foreach (var link in view.Incoming(node)) yield return ("from", Describe(link, link.From));
        foreach (var link in view.Outgoing(node)) yield return ("to", Describe(link, link.To));
    }

    private static string Describe(LineageLink link, LineageNode other) =>
        other.Label + (link.Name is null ? "" : $" ({link.Name})") + (link.OtherPath is null ? "" : $", same checksum as {link.OtherPath}");

    private const string Style = """
        body { font: 14px system-ui, sans-serif; margin: 0; color: #222; }
        header { padding: 8px 16px; border-bottom: 1px solid #ddd; }
        h1 { font-size: 18px; margin: 4px 0; }
        h2 { font-size: 16px; }
        header p { margin: 4px 0; color: #555; }
        main { display: flex; align-items: flex-start; }
        #graph { flex: 1; overflow: auto; max-height: 75vh; border-right: 1px solid #ddd; }
        #details { width: 320px; padding: 8px 16px; overflow-wrap: anywhere; }
        #details dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; }
        #details dt { color: #666; }
        #details dd { margin: 0; font-family: ui-monospace, monospace; font-size: 12px; }
        .hint { color: #777; }
        .node { cursor: pointer; }
        svg .dim { opacity: 0.2; }
        .node.hl-focus rect { stroke: #0d6efd; stroke-width: 4px; }
        .node.hl-up rect { stroke: #7b3fb5; stroke-width: 3px; }
        .node.hl-down rect { stroke: #d9480f; stroke-width: 3px; }
        .edge.hl-up { stroke: #7b3fb5; stroke-width: 2.5px; }
        .edge.hl-down { stroke: #d9480f; stroke-width: 2.5px; }
        #files { padding: 0 16px 16px; }
        table { border-collapse: collapse; font-size: 12px; }
        th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; }
        td { font-family: ui-monospace, monospace; }
        tbody tr { cursor: pointer; }
        tr.hl-focus { background: #e7f1ff; }
        tr.hl-up { background: #f3ecfa; }
        tr.hl-down { background: #fdf0e8; }

        """;

    // Plain DOM code, no library: walks the edges the SVG already has (data-from / data-to) in both directions.
    private const string Script = """
        (function () {
          'use strict';
          var data = JSON.parse(document.getElementById('lineage-data').textContent);
          var svg = document.querySelector('#graph svg');
          var nodes = Array.prototype.slice.call(svg.querySelectorAll('.node'));
          var edges = Array.prototype.slice.call(svg.querySelectorAll('.edge'));
          var rows = Array.prototype.slice.call(document.querySelectorAll('#files tr[data-node]'));
          var into = {}, outOf = {};
          edges.forEach(function (e) {
            (outOf[e.getAttribute('data-from')] = outOf[e.getAttribute('data-from')] || []).push(e);
            (into[e.getAttribute('data-to')] = into[e.getAttribute('data-to')] || []).push(e);
          });
          function reach(start, links, end) {
            var seen = {}, via = [], stack = [start];
            while (stack.length) {
              (links[stack.pop()] || []).forEach(function (e) {
                via.push(e);
                var next = e.getAttribute(end);
                if (!seen[next] && next !== start) { seen[next] = true; stack.push(next); }
              });
            }
            return { nodes: seen, edges: via };
          }
          var marks = ['hl-focus', 'hl-up', 'hl-down', 'dim'];
          function clear() {
            nodes.concat(edges, rows).forEach(function (el) { marks.forEach(function (m) { el.classList.remove(m); }); });
            show(null);
          }
          function focus(id) {
            clear();
            if (!data[id]) return;
            var up = reach(id, into, 'data-from'), down = reach(id, outOf, 'data-to');
            function mark(el, nodeId) {
              el.classList.add(nodeId === id ? 'hl-focus' : up.nodes[nodeId] ? 'hl-up' : down.nodes[nodeId] ? 'hl-down' : 'dim');
            }
            nodes.forEach(function (n) { mark(n, n.id); });
            rows.forEach(function (r) { mark(r, r.getAttribute('data-node')); });
            edges.forEach(function (e) { e.classList.add('dim'); });
            up.edges.forEach(function (e) { e.classList.remove('dim'); e.classList.add('hl-up'); });
            down.edges.forEach(function (e) { e.classList.remove('dim'); e.classList.add('hl-down'); });
            show(id);
          }
          function show(id) {
            var panel = document.getElementById('details');
            while (panel.firstChild) panel.removeChild(panel.firstChild);
            if (!id) {
              var hint = document.createElement('p');
              hint.className = 'hint';
              hint.textContent = 'No node selected.';
              panel.appendChild(hint);
              return;
            }
            var title = document.createElement('h2');
            title.textContent = data[id].title;
            panel.appendChild(title);
            var list = document.createElement('dl');
            data[id].facts.forEach(function (fact) {
              var dt = document.createElement('dt'), dd = document.createElement('dd');
              dt.textContent = fact[0];
              dd.textContent = fact[1];
              list.appendChild(dt);
              list.appendChild(dd);
            });
            panel.appendChild(list);
          }
          function select(id) {
            focus(id);
            if (data[id] && history.replaceState) history.replaceState(null, '', '#focus=' + encodeURIComponent(data[id].key));
          }
          svg.addEventListener('click', function (event) {
            var node = event.target.closest('.node');
            if (node) select(node.id); else { clear(); if (history.replaceState) history.replaceState(null, '', '#'); }
          });
          rows.forEach(function (r) { r.addEventListener('click', function () { select(r.getAttribute('data-node')); }); });
          function fromAddress() {
            var match = /^#focus=(.*)$/.exec(location.hash);
            if (!match) return;
            var wanted = decodeURIComponent(match[1]);
            var node = nodes.filter(function (n) { return n.id === wanted || n.getAttribute('data-key') === wanted; })[0];
            if (node) focus(node.id);
          }
          window.addEventListener('hashchange', fromAddress);
          fromAddress();
        })();

        """;
}
