using System.Text.RegularExpressions;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Output;

/// <summary>The live display of <c>waybill run</c> in a real terminal (tmux) at several widths.</summary>
public sealed class LiveProgressTests : IDisposable
{
    private const string LongMessage = "the voice activity detector found speech in regions of at least 1.5 s and this line goes on and on "
        + "well past the width of any terminal window that a person would use, so it wraps twice or more";

    private readonly TempFolder _temp = new();
    private readonly Tmux _tmux;

    public LiveProgressTests() => _tmux = new Tmux(_temp.Path);

    public void Dispose()
    {
        _tmux.Dispose();
        _temp.Dispose();
    }

    [Theory]
    [InlineData(60)]
    [InlineData(140)]
    public async Task The_progress_line_stays_one_intact_row_under_a_long_log_line(int width)
    {
        // 01_long fails (optional) with a message far longer than the terminal; 02_wait runs until the test lets it end.
        _temp.Write("waybill.yaml", $$"""
            stages:
              - id: 01_long
                run: "echo '{{LongMessage}}' >&2; exit 1"
                optional: true
              - id: 02_wait
                run: "while [ ! -f ../../../stop ]; do sleep 0.05; done; touch {out.x}"
                outputs: { x: x.txt }
            """);
        Start("run waybill.yaml --job-id l", width);
        var progress = new Regex(@"^waybill: 1/2 stages \(last: 01_long.* \d+% \d+:\d\d \S$", RegexOptions.Multiline);
        var screen = await _tmux.WaitFor(s => progress.IsMatch(s) && s.Contains("FAILED (optional", StringComparison.Ordinal), "the progress row");
        var row = progress.Match(screen).Value;
        Assert.True(row.Length < width, $"the progress row is {row.Length} wide at {width} columns: {row}");
        Assert.Contains("━", row);
        // Joined where the terminal wrapped them, the long lines are whole: nothing of the display is mixed into them.
        var joined = _tmux.Screen(joinWrapped: true);
        Assert.Contains($"stage.long command exited with code 1: {LongMessage}\n", joined);
        Assert.Contains($"(optional, ", joined);
        Assert.Matches(progress, joined.TrimEnd('\n'));

        _temp.Write("stop", "");
        screen = await _tmux.WaitFor("run-ended");
        Assert.DoesNotContain("stages (last:", screen);
        Assert.Contains("Job folder:", screen);
    }

    [Fact]
    public async Task A_fan_out_shows_a_bar_of_its_items_with_the_time_left_while_they_run()
    {
        // Item a ends at once; b and c wait for the test.
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_each
                foreach: { values: [a, b, c] }
                run: "if [ {item.value} != a ]; then while [ ! -f ../../../../stop ]; do sleep 0.05; done; fi; touch {out.x}"
                outputs: { x: x.txt }
            """);
        Start("run waybill.yaml --job-id f --jobs 3", 140);
        var bar = new Regex(@"^  01_each: 1/3 items ━+─+  33% ETA (\d+:\d\d|-:--)$", RegexOptions.Multiline);
        var screen = await _tmux.WaitFor(s => bar.IsMatch(s), "the items bar");
        Assert.Matches(@"(?m)^waybill: \d/3 stages", screen);
        _temp.Write("stop", "");
        screen = await _tmux.WaitFor("run-ended");
        Assert.DoesNotContain("items ━", screen);
    }

    [Fact]
    public async Task The_asr_stage_shows_a_bar_of_its_segments_while_it_recognises_them()
    {
        var sample = await Waybill.Media.Sample.SampleGenerator.GenerateAsync(_temp.Combine("sample"),
            new Waybill.Media.Sample.SampleOptions(MinimumSeconds: 40));
        Start($"subtitle {Tmux.Quote(sample.Video)} --asr pocketsphinx --job-id s", 140);
        var bar = new Regex(@"^  06_asr: \d/\d+ segments ━*─+ +\d+% ETA (\d+:\d\d|-:--)$", RegexOptions.Multiline);
        await _tmux.WaitFor(s => bar.IsMatch(s), "the segments bar");
        var screen = await _tmux.WaitFor("run-ended");
        Assert.DoesNotContain("segments ━", screen);
        Assert.Contains("recognised", File.ReadAllText(_temp.Combine("out", "s", "06_asr", "stage.log")));
    }

    [Fact]
    public async Task Command_stages_show_the_progress_they_send_from_the_shell_verb_and_the_python_client()
    {
        // Both stages report once, then wait for the test: their bars stay up until it has seen them.
        _temp.Write("progress.py", """
            import os, time
            from waybill import StageIO
            io = StageIO("py")
            for done in range(3):
                io.report_progress(done, 5, "frames")
            while not os.path.exists("../../../stop"):
                time.sleep(0.05)
            io.report_progress(5, 5, "frames")
            """);
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_shell
                run: "waybill stage progress 3 8 segments && while [ ! -f ../../../stop ]; do sleep 0.05; done; touch {out.x}"
                outputs: { x: x.txt }
              - id: 02_py
                run: python3 ../../../progress.py
            """);
        var path = new Protocol.ProtocolJob(_temp).Environment()["PATH"];
        Start($"run waybill.yaml --job-id p --jobs 2", 140, $"PATH={Tmux.Quote(path)} ");
        var shell = new Regex(@"^  01_shell: 3/8 segments ━+─+ +37% ETA (\d+:\d\d|-:--)$", RegexOptions.Multiline);
        var python = new Regex(@"^  02_py: 2/5 frames ━+─+ +40% ETA (\d+:\d\d|-:--)$", RegexOptions.Multiline);
        await _tmux.WaitFor(s => shell.IsMatch(s) && python.IsMatch(s), "the segments and frames bars");

        _temp.Write("stop", "");
        var screen = await _tmux.WaitFor("run-ended");
        Assert.DoesNotContain("segments ━", screen);
        Assert.DoesNotContain("frames ━", screen);
        Assert.Contains("Job folder:", screen);
        // Display only: neither the manifests nor the logs hold a trace of it.
        foreach (var stage in new[] { "01_shell", "02_py" })
        {
            var folder = _temp.Combine("out", "p", stage);
            var manifestText = File.ReadAllText(Path.Combine(folder, "manifest.json"));
            var manifest = System.Text.Json.Nodes.JsonNode.Parse(manifestText)!;
            Assert.Equal("success", manifest["status"]!.GetValue<string>());
            Assert.Empty(manifest["warnings"]!.AsArray());
            Assert.DoesNotContain("\"done\"", manifestText);
            Assert.DoesNotContain("\"done\"", File.ReadAllText(Path.Combine(folder, "stage.log")));
        }
    }

    private void Start(string arguments, int width, string environment = "") =>
        _tmux.Start($"{environment}DOTNET_EnableDiagnostics=0 {CliProcess.ShellCommand} {arguments}; echo run-ended; exec sleep 600",
            width, 40, _temp.Path);
}
