using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Waybill.Cli.Tests.Lineage;

/// <summary>The HTML page in a real browser, offline: the SVG has every node, nothing is fetched, and focusing highlights.</summary>
public sealed partial class LineageBrowserTests(LineageJobsFixture jobs) : IClassFixture<LineageJobsFixture>
{
    private static readonly string[] FirstJobNodes =
    [
        "stage:01_make", "stage:02_shout", "stage:03_count", "stage:04_check", "stage:05_side", "job:second/stage:01_quote",
        "file:01_make/text.txt", "file:02_shout/loud.txt", "file:03_count/count.txt", "file:05_side/side.txt",
    ];

    private async Task<string> WritePage()
    {
        var path = jobs.Temp.Combine("pages", Guid.NewGuid().ToString("N")[..8] + ".html");
        var result = await jobs.Lineage("first", "--format", "html", "--output", path);
        Assert.True(result.ExitCode == 0, result.All);
        return path;
    }

    /// <summary>Each node group of the SVG after scripts ran: its data-key and its classes.</summary>
    private static Dictionary<string, string[]> Nodes(string dom) =>
        NodeElement().Matches(dom).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["key"].Value), m => m.Groups["class"].Value.Split(' '));

    [Fact]
    public async Task The_page_opens_offline_with_one_svg_element_per_node_and_makes_no_request()
    {
        var path = await WritePage();
        var html = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);

        var page = await HeadlessChromium.LoadAsync(path, "", jobs.Temp.Path);

        Assert.Empty(page.Requests);
        Assert.Single(Regex.Matches(page.Dom, "<svg "));
        var nodes = Nodes(page.Dom);
        Assert.Equal(FirstJobNodes.Append("file:" + jobs.Temp.Combine("seed.txt")).Order(StringComparer.Ordinal), nodes.Keys.Order(StringComparer.Ordinal));
        Assert.All(nodes.Values, classes => Assert.DoesNotContain("hl-focus", classes)); // nothing chosen yet
        Assert.Contains("<p class=\"hint\">No node selected.</p>", page.Dom);
    }

    [Fact]
    public async Task Focus_in_the_address_highlights_upstream_and_downstream_and_fills_the_details()
    {
        var path = await WritePage();

        var page = await HeadlessChromium.LoadAsync(path, "#focus=" + Uri.EscapeDataString("stage:02_shout"), jobs.Temp.Path);

        var nodes = Nodes(page.Dom);
        Assert.Contains("hl-focus", nodes["stage:02_shout"]);
        foreach (var up in new[] { "stage:01_make", "file:01_make/text.txt", "file:" + jobs.Temp.Combine("seed.txt") })
            Assert.Contains("hl-up", nodes[up]);
        foreach (var down in new[] { "file:02_shout/loud.txt", "stage:03_count", "file:03_count/count.txt", "stage:04_check", "job:second/stage:01_quote" })
            Assert.Contains("hl-down", nodes[down]);
        Assert.Contains("dim", nodes["stage:05_side"]);
        Assert.Contains("dim", nodes["file:05_side/side.txt"]);
        Assert.Contains("<h2>02_shout</h2>", page.Dom);
        Assert.Contains("<dt>status</dt><dd>success</dd>", page.Dom);
        Assert.Matches("<tr data-node=\"n\\d+\" class=\"hl-down\"><td>02_shout/loud.txt</td>", page.Dom);
        Assert.Empty(page.Requests);
    }

    [Fact]
    public async Task The_request_check_does_see_a_page_that_reaches_out()
    {
        var path = jobs.Temp.Write(Path.Combine("pages", "fetching.html"), "<!DOCTYPE html><html><body><img src=\"http://lineage.invalid/pixel.png\"></body></html>");

        var page = await HeadlessChromium.LoadAsync(path, "", jobs.Temp.Path);

        Assert.Contains("http://lineage.invalid/pixel.png", page.Requests);
    }

    [GeneratedRegex("<g id=\"n\\d+\" class=\"(?<class>[^\"]*)\" data-key=\"(?<key>[^\"]*)\"")]
    private static partial Regex NodeElement();
}
