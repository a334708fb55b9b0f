using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Waybill.Core.Lineage;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Lineage;

/// <summary>Every format says the same thing, and names with quotes, brackets, markup and non-ASCII letters survive each one.</summary>
public sealed partial class LineageFormatTests : IDisposable
{
    private const string Tricky = "01_make/we\"ird [1] <b>&amp;</b> ünï 日本 🎬.txt";
    private const string TrailingBackslash = "01_make/ends with \\";

    private readonly TempFolder _temp = new();
    private readonly LineageGraph _movie;
    private readonly LineageGraph _tricky;

    public LineageFormatTests()
    {
        _movie = SampleLineageJobs.Load(SampleLineageJobs.Movie(_temp.Combine("out")));
        var job = new LineageJob(_temp.Combine("out", "tricky"));
        var odd = LineageJob.File(Tricky, "odd");
        odd.DeletedAt = SampleLineageJobs.DeletedAt;
        odd.DeletedReason = "it's \"done\" <now>";
        job.Stage("01_make", outputs: [odd, LineageJob.File(TrailingBackslash, "slash")]);
        job.Stage("02_use", [LineageJob.From("01_make", odd, inputName: "odd")], [LineageJob.File("02_use/out.txt", "out")], status: "failed", reason: "exit \"2\" & <stderr>");
        _tricky = SampleLineageJobs.Load(job.Write());
    }

    public void Dispose() => _temp.Dispose();

    private static string Render(LineageView view, LineageFormat format, TextStyle? style = null) => LineageRenderer.Render(view, format, style);

    private static LineageView Focus(LineageGraph graph, string key, LineageDirection direction = LineageDirection.Both) => LineageQuery.Around(graph, graph.Find(key)!, direction);

    [Fact]
    public void Text_draws_upstream_above_downstream_with_checksum_prefixes_sizes_and_states()
    {
        var text = Render(Focus(_movie, "file:02_transcribe/transcript.json"), LineageFormat.Text);
        var checksum = LineageJob.Checksum("transcript text")[..19];

        Assert.StartsWith($"02_transcribe/transcript.json  {checksum}  15 B  (job movie)\nupstream:\n", text);
        Assert.Contains("  └─ ← 02_transcribe (success, 12.5s)\n", text);
        Assert.Contains($"     └─ ← 01_demux/audio.wav  {LineageJob.Checksum("audio samples")[..19]}  13 B  (input audio)\n", text);
        Assert.Contains($"           └─ ← {SampleLineageJobs.MoviePath(_temp.Combine("out"))}  {LineageJob.Checksum("movie bytes")[..19]}  11 B  [external]  (input movie)\n", text);
        Assert.Contains("downstream:\n  └─ → 03_translate (failed: exit code 1, 0.4s)  (input transcript)\n", text);
        Assert.True(text.IndexOf("upstream:", StringComparison.Ordinal) < text.IndexOf("downstream:", StringComparison.Ordinal));
        Assert.DoesNotContain("\u001b[", text);
        Assert.Equal("05_report (pending)  (job movie)\nupstream:\n  (nothing upstream)\ndownstream:\n  (nothing downstream)\n", Render(Focus(_movie, "stage:05_report"), LineageFormat.Text));
    }

    [Fact]
    public void Text_marks_deleted_files_and_can_stay_within_ascii()
    {
        var text = Render(Focus(_movie, "stage:02_transcribe", LineageDirection.Downstream), LineageFormat.Text, new TextStyle(Ascii: true));

        Assert.Contains("`- -> 02_transcribe/words.json  " + LineageJob.Checksum("word timings")[..19] + "  12 B  [deleted 2025-11-20 (disk space)]", text);
        Assert.All(text, c => Assert.True(c < 128, $"non-ASCII character U+{(int)c:X4} in ASCII text"));
        Assert.StartsWith("job movie - pipeline lineage-test - success - 5 stages", Render(LineageQuery.Whole(_movie), LineageFormat.Text, new TextStyle(Ascii: true)));
        Assert.Contains("\u001b[32msuccess, 12.5s\u001b[0m", Render(LineageQuery.Whole(_movie), LineageFormat.Text, new TextStyle(Color: true)));
    }

    [Fact]
    public void Text_of_a_whole_job_lists_each_stage_with_what_it_read_and_wrote()
    {
        var text = Render(LineageQuery.Whole(_movie), LineageFormat.Text);

        Assert.StartsWith("job movie — pipeline lineage-test — success — 5 stages, 6 files\n", text);
        Assert.Contains("\n02_transcribe (success, 12.5s)\n├─ ← audio: 01_demux/audio.wav", text);
        Assert.Contains("│  └─ ← from 01_demux (success, 3.25s)\n", text);
        Assert.Contains("├─ → transcript: 02_transcribe/transcript.json", text);
        Assert.Contains("│  └─ → read by 03_translate (failed: exit code 1, 0.4s)\n", text);
        Assert.Contains("\n04_mux (skipped: upstream failed: 03_translate)\n", text);
        Assert.Contains("\n05_report (pending)\n└─ (no files recorded)\n", text);
    }

    [Fact]
    public void Dot_declares_every_node_and_link_with_ids_and_labels_that_read_back_exactly()
    {
        var view = LineageQuery.Whole(_tricky);
        var dot = DotReader.Parse(Render(view, LineageFormat.Dot));

        Assert.Equal(view.Nodes.Count, dot.Nodes.Count);
        Assert.Equal(view.Links.Count, dot.Edges.Count);
        Assert.All(dot.Edges, e => Assert.True(dot.Nodes.ContainsKey(e.From) && dot.Nodes.ContainsKey(e.To), $"edge {e.From} -> {e.To} to an undeclared node"));
        var labels = dot.Nodes.Values.Select(a => DotReader.LabelText(a["label"]).Split('\n')[0]).ToList();
        Assert.Contains(Tricky, labels);
        Assert.Contains(TrailingBackslash, labels); // its id ends in a backslash, which must not swallow the closing quote
        Assert.Contains("01_make", labels);
        var deleted = dot.Nodes.Values.Single(a => DotReader.LabelText(a["label"]).StartsWith(Tricky, StringComparison.Ordinal));
        Assert.Contains("dashed", deleted["style"], StringComparison.Ordinal);
        Assert.Equal("deleted 2025-11-20 (it's \"done\" <now>)", DotReader.LabelText(deleted["label"]).Split('\n')[1]);
        Assert.Contains(dot.Edges, e => e.Attributes.TryGetValue("label", out var name) && name == "odd");
    }

    [Fact]
    public void Mermaid_escapes_every_risky_character_in_labels()
    {
        var view = LineageQuery.Whole(_tricky);
        var mermaid = Render(view, LineageFormat.Mermaid);
        var lines = mermaid.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("flowchart LR", lines[0]);
        Assert.All(mermaid, c => Assert.True(c < 128, $"raw non-ASCII character U+{(int)c:X4}"));
        var labels = new List<string>();
        foreach (var line in lines.Skip(1).Where(l => NodeLine().IsMatch(l)))
        {
            var label = NodeLine().Match(line).Groups["label"].Value;
            Assert.DoesNotMatch("[\"\\[\\]()<>{}|]", label.Replace("<br/>", "", StringComparison.Ordinal));
            labels.Add(Entity().Replace(label, m => char.ConvertFromUtf32(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))));
        }
        Assert.Equal(view.Nodes.Count, labels.Count);
        Assert.Contains(labels, l => l.StartsWith(Tricky + "<br/>deleted 2025-11-20 (it's \"done\" <now>)", StringComparison.Ordinal));
        Assert.Contains(labels, l => l == "02_use<br/>failed: exit \"2\" & <stderr>, 1.5s");
        Assert.Equal(view.Links.Count, lines.Count(l => EdgeLine().IsMatch(l)));
        Assert.Contains(lines, l => l.Contains("-->|\"odd\"|", StringComparison.Ordinal));
    }

    [Fact]
    public void Svg_is_well_formed_with_one_element_per_node_and_link_and_exact_tooltips()
    {
        var view = LineageQuery.Whole(_tricky);
        var svg = XDocument.Parse(Render(view, LineageFormat.Svg));
        XNamespace ns = "http://www.w3.org/2000/svg";

        Assert.Equal(ns + "svg", svg.Root!.Name);
        var nodes = svg.Descendants(ns + "g").Where(g => Classes(g).Contains("node")).ToList();
        Assert.Equal(view.Nodes.Select(n => n.Key), nodes.Select(g => (string)g.Attribute("data-key")!));
        Assert.Equal(view.Links.Count, svg.Descendants(ns + "path").Count(p => Classes(p).Contains("edge")));
        var odd = nodes.Single(g => (string)g.Attribute("data-key")! == "file:" + Tricky);
        Assert.Equal(Tricky, odd.Elements(ns + "text").First().Value);
        Assert.Contains(LineageJob.Checksum("odd"), odd.Element(ns + "title")!.Value, StringComparison.Ordinal);
        Assert.Contains("deleted 2025-11-20 (it's \"done\" <now>)", odd.Element(ns + "title")!.Value, StringComparison.Ordinal);
        Assert.Contains("deleted", Classes(odd));
        Assert.NotNull(odd.Element(ns + "rect")!.Attribute("stroke-dasharray"));
        var failed = nodes.Single(g => (string)g.Attribute("data-key")! == "stage:02_use");
        Assert.Contains("status-failed", Classes(failed));
        Assert.Equal("#f8d7da", (string)failed.Element(ns + "rect")!.Attribute("fill")!);
        Assert.Equal("8", (string)failed.Element(ns + "rect")!.Attribute("rx")!);
    }

    [Fact]
    public void Html_is_one_self_contained_page_with_the_svg_inline_and_node_details()
    {
        var view = LineageQuery.Whole(_tricky);
        var html = Render(view, LineageFormat.Html);

        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?i)<(link|img|iframe)\\b|\\bsrc=|@import|url\\((?!#)", html);
        Assert.Equal(1, Regex.Count(html, "<svg "));
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        var data = Regex.Match(html, "<script type=\"application/json\" id=\"lineage-data\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        using var json = JsonDocument.Parse(data);
        var odd = json.RootElement.EnumerateObject().Single(p => p.Value.GetProperty("key").GetString() == "file:" + Tricky).Value;
        Assert.Equal(Tricky, odd.GetProperty("title").GetString());
        Assert.Contains(odd.GetProperty("facts").EnumerateArray(), f => f[0].GetString() == "deleted" && f[1].GetString() == "deleted 2025-11-20 (it's \"done\" <now>)");
        Assert.Equal(view.Nodes.OfType<FileNode>().Count(), Regex.Count(html, "<tr data-node="));
    }

    private static string[] Classes(XElement element) => ((string?)element.Attribute("class") ?? "").Split(' ');

    [GeneratedRegex("^  n\\d+(\\(\"|\\[\")(?<label>.*)(\"\\)|\"\\])$")]
    private static partial Regex NodeLine();

    [GeneratedRegex("^  n\\d+ (-->|-\\.->)(\\|\"[^\"]*\"\\|)? n\\d+$")]
    private static partial Regex EdgeLine();

    [GeneratedRegex("#(\\d+);")]
    private static partial Regex Entity();
}
