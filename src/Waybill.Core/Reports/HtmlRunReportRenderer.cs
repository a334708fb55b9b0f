using System.Text;
using System.Text.Json;
using Waybill.Core.Lineage;

namespace Waybill.Core.Reports;

/// <summary>
/// One self-contained HTML file: the page's frame and the lineage SVG written here, everything else drawn by the inline
/// script from a JSON data island (a 1,000-stage report stays small, and text is only ever set as text). Nothing is
/// fetched: no script, style, font or image comes from elsewhere, so the file opens offline and from an archive.
/// Opening it with <c>#stage=&lt;stage id&gt;</c> shows that stage's details at once.
/// </summary>
internal static class HtmlRunReportRenderer
{
    private static readonly (string Id, string Title)[] Sections =
    [
        ("timeline", "Timeline"), ("stages", "Stages"), ("changes", "What changed"), ("problems", "Warnings and errors"),
        ("cost", "Cost"), ("lineage", "Lineage"), ("config", "Config"), ("logs", "Log excerpts"),
    ];

    public static string Render(RunReport report)
    {
        var job = report.Job;
        var title = $"Run report: job {job.JobId}";
        var html = new StringBuilder(64 * 1024 + report.LineageSvg.Length + (report.Stages.Count * 600));
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(XmlText.Escape(title)).Append("</title>\n<style>\n").Append(ReportAssets.Style)
            .Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>").Append(XmlText.Escape(title)).Append("</h1><p id=\"summary\">").Append(XmlText.Escape(Summary(report)))
            .Append("</p></header>\n<nav>");
        foreach (var (id, name) in Sections) html.Append("<a href=\"#").Append(id).Append("\">").Append(name).Append("</a>");
        html.Append("</nav>\n<noscript><p>This report is drawn by its inline script: open it in a browser with JavaScript on.</p></noscript>\n");
        html.Append("<div id=\"notes\"></div>\n<main>\n<div id=\"content\">\n");
        html.Append("<section id=\"timeline\"><h2>Timeline</h2><p id=\"legend\" class=\"legend\"></p><div id=\"gantt\"></div>")
            .Append("<p class=\"hint\">One lane per parallel slot; a bracket above spans the items of a fan-out stage. ")
            .Append("Click a bar for its details.</p></section>\n");
        html.Append("<section id=\"stages\"><h2>Stages</h2><table id=\"stage-table\"></table></section>\n");
        html.Append("<section id=\"changes\"><h2>What changed since the previous run</h2><div id=\"change-list\"></div></section>\n");
        html.Append("<section id=\"problems\"><h2>Warnings and errors</h2><div id=\"problem-list\"></div></section>\n");
        html.Append("<section id=\"cost\"><h2>Cost</h2><div id=\"cost-list\"></div></section>\n");
        // Drawn by the script when the section comes near the screen (report.js, drawLineage).
        html.Append("<section id=\"lineage\"><h2>Lineage</h2><div id=\"graph\"></div><template id=\"lineage-svg\">\n").Append(report.LineageSvg)
            .Append("</template></section>\n");
        html.Append("<section id=\"config\"><h2>Config</h2><div id=\"config-list\"></div></section>\n");
        html.Append("<section id=\"logs\"><h2>Log excerpts</h2><div id=\"log-excerpts\"></div></section>\n");
        html.Append("</div>\n<aside id=\"details\"><p class=\"hint\">Click a stage (a bar, a row, a box in the lineage) to see its details.</p>")
            .Append("</aside>\n</main>\n");
        html.Append("<script type=\"application/json\" id=\"report-data\">").Append(Data(report)).Append("</script>\n");
        html.Append("<script>\n").Append(ReportAssets.Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Summary(RunReport report)
    {
        var job = report.Job;
        var counts = report.Stages.GroupBy(s => s.RanInThisRun ? s.Status.ToString().ToLowerInvariant() : "up to date")
            .Select(g => $"{g.Count()} {g.Key}");
        var cost = job.Cost is { } c ? FormattableString.Invariant($", cost {c.Total:0.####} {c.Currency}") : "";
        return FormattableString.Invariant(
            $"Pipeline {job.Pipeline}, {job.Status}, run {job.RunId}, started {job.StartedUtc:u}, {report.SpanSeconds:0.###} s, on {job.Host}. ")
            + $"{report.Stages.Count} stage runs: {string.Join(", ", counts)}{cost}.";
    }

    private static string Data(RunReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) RunReportJson.Write(report, json);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
