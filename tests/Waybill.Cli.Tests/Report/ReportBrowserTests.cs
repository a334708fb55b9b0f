using Xunit;

namespace Waybill.Cli.Tests.Report;

/// <summary>
/// The report in a real browser (Debian's headless Chromium over the DevTools protocol), offline: it renders without a
/// console error or a request, the timeline and the lineage graph are there with a size, a click on a bar shows that
/// stage's details, and a screenshot of the timeline shows coloured bars.
/// </summary>
public sealed class ReportBrowserTests(ReportJobsFixture jobs) : IClassFixture<ReportJobsFixture>
{
    private const int Width = 1400;
    private const int Height = 1000;

    private const string BarCentre = """
        (function (id) {
          const i = JSON.parse(document.getElementById('report-data').textContent).stages.findIndex(s => s.id === id);
          const bar = document.querySelector('#gantt rect.bar[data-stage="' + i + '"]');
          bar.scrollIntoView({ block: 'center' });
          const r = bar.getBoundingClientRect();
          return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
        })
        """;

    // The lineage drawing is made when its section comes near the screen: scroll there and wait for it (frame by frame).
    private const string ShowLineage = """
        new Promise(resolve => {
          document.getElementById('lineage').scrollIntoView();
          const check = () => document.querySelector('#graph svg') ? resolve(true) : requestAnimationFrame(check);
          check();
        })
        """;

    [Fact]
    public async Task The_page_renders_offline_with_the_timeline_and_graph_sized_and_no_console_error()
    {
        await using var browser = await ChromiumDevTools.StartAsync(jobs.Temp.Path, Width, Height);

        await browser.OpenAsync(jobs.MixedReport);
        await browser.EvaluateAsync(ShowLineage);

        var page = (await browser.EvaluateAsync("""
            (() => {
              const size = el => { const r = el.getBoundingClientRect(); return { w: r.width, h: r.height }; };
              return {
                timeline: size(document.querySelector('#gantt svg')),
                graph: size(document.querySelector('#graph svg')),
                bars: document.querySelectorAll('#gantt rect.bar').length,
                lanes: new Set(Array.from(document.querySelectorAll('#gantt rect.bar'), b => b.getAttribute('y'))).size,
                groups: Array.from(document.querySelectorAll('#gantt .group title'), t => t.textContent),
                rows: document.querySelectorAll('#stage-table tr.stage').length,
                excerpts: document.querySelectorAll('.excerpt').length,
                pwned: window.pwned === undefined ? null : window.pwned,
                images: document.images.length,
                renderMs: Number(document.documentElement.getAttribute('data-render-ms')),
              };
            })()
            """))!;

        Assert.Empty(browser.Errors);
        Assert.Empty(browser.Requests);
        Assert.True(page["timeline"]!["w"]!.GetValue<double>() >= 600 && page["timeline"]!["h"]!.GetValue<double>() >= 40, page.ToJsonString());
        Assert.True(page["graph"]!["w"]!.GetValue<double>() > 200 && page["graph"]!["h"]!.GetValue<double>() > 100, page.ToJsonString());
        Assert.Equal(7, page["bars"]!.GetValue<int>()); // 01_slow, 02_also, three items, 04_break, 05_greet
        Assert.Equal(2, page["lanes"]!.GetValue<int>());
        Assert.StartsWith("03_items: 3 items", Assert.Single(page["groups"]!.AsArray())!.GetValue<string>());
        Assert.Equal(7, page["rows"]!.GetValue<int>());
        Assert.Equal(2, page["excerpts"]!.GetValue<int>());
        Assert.Null(page["pwned"]); // the warning's markup stayed text
        Assert.Equal(0, page["images"]!.GetValue<int>());
        Assert.True(page["renderMs"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task Clicking_a_bar_shows_that_stage_with_its_error_and_a_link_to_its_log_line()
    {
        await using var browser = await ChromiumDevTools.StartAsync(jobs.Temp.Path, Width, Height);
        await browser.OpenAsync(jobs.MixedReport);
        Assert.Equal("Click a stage (a bar, a row, a box in the lineage) to see its details.",
            (await browser.EvaluateAsync("document.getElementById('details').textContent"))!.GetValue<string>());
        await browser.EvaluateAsync(ShowLineage);

        var point = (await browser.EvaluateAsync($"({BarCentre})('04_break')"))!;
        await browser.ClickAsync(point["x"]!.GetValue<double>(), point["y"]!.GetValue<double>());

        var details = (await browser.EvaluateAsync("""
            (() => ({
              title: document.querySelector('#details h2').textContent,
              text: document.getElementById('details').textContent,
              link: document.querySelector('#details a[href^="#log-"]').getAttribute('href'),
              address: location.hash,
              selected: document.querySelector('#gantt rect.bar.sel').getAttribute('data-stage'),
              lineage: document.querySelector('#graph .node.hl-focus').getAttribute('data-key'),
            }))()
            """))!;
        Assert.Equal("04_break", details["title"]!.GetValue<string>());
        Assert.Contains("command exited with code 3: disk on fire", details["text"]!.GetValue<string>());
        Assert.Contains("04_break/stage.log line", details["text"]!.GetValue<string>());
        Assert.Equal("#stage=04_break", details["address"]!.GetValue<string>());
        Assert.Equal("stage:04_break", details["lineage"]!.GetValue<string>());

        // The link leads to the embedded excerpt, whose marked line is the error's.
        var target = (await browser.EvaluateAsync("""
            (() => {
              const a = document.querySelector('#details a[href^="#log-"]');
              a.click();
              const excerpt = document.querySelector('.excerpt:target');
              return { hash: location.hash, hit: excerpt.querySelector('.hit').textContent };
            })()
            """))!;
        Assert.Equal(details["link"]!.GetValue<string>(), target["hash"]!.GetValue<string>());
        Assert.EndsWith("[ERROR] command exited with code 3: disk on fire", target["hit"]!.GetValue<string>());
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task The_address_selects_a_fan_out_item_and_a_click_on_a_lineage_box_selects_its_stage()
    {
        await using var browser = await ChromiumDevTools.StartAsync(jobs.Temp.Path, Width, Height);

        await browser.OpenAsync(jobs.MixedReport, "#stage=" + Uri.EscapeDataString("03_items[two]"));
        Assert.Equal("03_items[two]", (await browser.EvaluateAsync("document.querySelector('#details h2').textContent"))!.GetValue<string>());
        await browser.EvaluateAsync(ShowLineage);

        var box = (await browser.EvaluateAsync("""
            (() => {
              const node = document.querySelector('#graph .node[data-key="stage:05_greet"]');
              node.scrollIntoView({ block: 'center', inline: 'center' });
              const r = node.querySelector('rect').getBoundingClientRect();
              return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
            })()
            """))!;
        await browser.ClickAsync(box["x"]!.GetValue<double>(), box["y"]!.GetValue<double>());

        Assert.Equal("05_greet", (await browser.EvaluateAsync("document.querySelector('#details h2').textContent"))!.GetValue<string>());
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task A_screenshot_of_the_timeline_shows_green_bars_and_the_red_failed_one()
    {
        await using var browser = await ChromiumDevTools.StartAsync(jobs.Temp.Path, Width, Height);
        await browser.OpenAsync(jobs.MixedReport);
        var region = (await browser.EvaluateAsync("""
            (() => { const r = document.querySelector('#gantt svg').getBoundingClientRect();
                     return { x: r.x + scrollX, y: r.y + scrollY, w: Math.floor(r.width), h: Math.floor(r.height) }; })()
            """))!;
        int width = region["w"]!.GetValue<int>(), height = region["h"]!.GetValue<int>();

        var png = await browser.ScreenshotAsync(region["x"]!.GetValue<double>(), region["y"]!.GetValue<double>(), width, height);
        await File.WriteAllBytesAsync(jobs.Temp.Combine("timeline.png"), png); // kept beside the job folders for a person to look at

        var image = PngImage.Decode(png);
        Assert.Equal((width, height), (image.Width, image.Height));
        var counts = new Dictionary<int, int>();
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
                counts[image[x, y]] = counts.GetValueOrDefault(image[x, y]) + 1;
        Assert.True(counts.GetValueOrDefault(0x2e7d32) > 500, $"green (success) pixels: {counts.GetValueOrDefault(0x2e7d32)}");
        Assert.True(counts.GetValueOrDefault(0xc62828) > 20, $"red (failed) pixels: {counts.GetValueOrDefault(0xc62828)}");
        Assert.True(counts.Count > 10, $"distinct colours: {counts.Count}");
        Assert.True(counts.GetValueOrDefault(0xffffff) < width * height * 0.95, "the timeline is not blank");
        Assert.Empty(browser.Errors);
    }
}
