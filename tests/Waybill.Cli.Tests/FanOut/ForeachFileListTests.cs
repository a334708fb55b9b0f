using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary><c>foreach: { files: [...] }</c>: a list of files and globs, and <c>{item.*}</c> in input paths.</summary>
public sealed class ForeachFileListTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private JsonObject Manifest(string stage, string key) =>
        JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", stage, key, "manifest.json")))!.AsObject();

    [Fact]
    public async Task A_list_of_files_and_globs_runs_once_per_file_and_input_paths_name_the_item()
    {
        _temp.Write("data/b.txt", "bee\n");
        _temp.Write("more/a.txt", "ay\n");
        _temp.Write("more/c.txt", "sea\n");
        _temp.Write("data/odd [1].txt", "odd\n");
        _temp.Write("waybill.yaml", """
            name: list
            config:
              greeting: hello
            stages:
              - id: 01_copy
                foreach:
                  files: [data/b.txt, "more/*.txt", "data/odd [1].txt", data/b.txt]
                inputs:
                  text: { path: "{item.path}" }
                outputs:
                  copy: { path: copy.txt }
                run: cat {in.text} > {out.copy}
              - id: 02_tag
                inputs:
                  copy: 01_copy.copy
                  source: { path: "{item.path}" }
                outputs:
                  tagged: { path: tagged.txt }
                run: echo {config.greeting} {item.key} > {out.tagged}
            """);
        // --set rewrites the stages' config: the fan-out must survive it.
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1", "--set", "greeting=hi");

        Assert.True(run.ExitCode == 0, run.All);
        string[] keys = ["a", "b", "c", "odd-1"];
        var job = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", "manifest.json")))!;
        // Each file once (the duplicate entry too), keyed by its name.
        Assert.Equal([.. keys.Select(k => $"01_copy[{k}]"), .. keys.Select(k => $"02_tag[{k}]")],
            job["stages"]!.AsArray().Select(s => s!["stage_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal("odd\n", File.ReadAllText(_temp.Combine("out", "j", "01_copy", "odd-1", "copy.txt")));
        Assert.Equal("hi odd-1\n", File.ReadAllText(_temp.Combine("out", "j", "02_tag", "odd-1", "tagged.txt")));
        // The stage names the item's file as its own input, so no extra 'item' input repeats it.
        var input = Assert.Single(Manifest("01_copy", "a")["inputs"]!.AsArray());
        Assert.Equal(("text", _temp.Combine("more", "a.txt")), (input!["name"]!.GetValue<string>(), input["path"]!.GetValue<string>()));
        var source = Manifest("02_tag", "c")["inputs"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "source");
        Assert.Equal(_temp.Combine("more", "c.txt"), source!["path"]!.GetValue<string>());
        JobAssert.ManifestsAreValid(_temp.Combine("out", "j"));
    }

    [Fact]
    public async Task Each_list_entry_that_matches_nothing_is_named_with_file_line_and_column()
    {
        _temp.Write("data/b.txt", "bee\n");
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_copy
                foreach:
                  files: [data/b.txt, missing.txt, "none/*.txt"]
                outputs:
                  copy: { path: copy.txt }
                run: cat {item.path} > {out.copy}
            """);
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");

        Assert.Equal(2, validate.ExitCode);
        Assert.Contains("waybill.yaml:4:14: 01_copy.foreach.files: foreach.files entry 'missing.txt' matches no file", validate.Stderr,
            StringComparison.Ordinal);
        Assert.Contains("foreach.files entry 'none/*.txt' matches no file", validate.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_item_placeholder_in_the_input_path_of_a_stage_that_runs_once_is_refused()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_once
                inputs:
                  video: { path: "{item.path}" }
                outputs:
                  copy: { path: copy.txt }
                run: cat {in.video} > {out.copy}
            """);
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");

        Assert.Equal(2, validate.ExitCode);
        Assert.Contains("01_once.inputs.video: placeholder {item.path} is only known in a stage that runs per item", validate.Stderr,
            StringComparison.Ordinal);
        Assert.Contains("waybill.yaml:4:", validate.Stderr, StringComparison.Ordinal);
    }
}
