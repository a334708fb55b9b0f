using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

public sealed class PathTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Paths_with_spaces_and_non_ascii_characters_work_end_to_end()
    {
        _temp.Write("data dir/données brutes.txt", "Grüße aus Köln\n");
        _temp.Write("my pipeline/waybill.yaml", """
            stages:
              - id: 01_read
                inputs: { source: "../data dir/données brutes.txt" }
                run: tr 'a-z' 'A-Z' < {in.source} > {out.upper}
                outputs: { upper: "résultat final.txt" }
              - id: 02_copy
                uses: copy
                inputs: { text: 01_read.upper }
                outputs: { copy: "copie ünïcode.txt" }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "my pipeline/waybill.yaml", "--out", "out folder", "--job-id", "jöb 1");
        Assert.True(run.ExitCode == 0, run.All);
        var job = _temp.Combine("out folder", "jöb 1");
        Assert.Equal("GRüßE AUS KöLN\n", File.ReadAllText(Path.Combine(job, "02_copy", "copie ünïcode.txt")));
        var read = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "01_read", "manifest.json")))!;
        Assert.Equal("external", read["inputs"]![0]!["location"]!.GetValue<string>());
        Assert.EndsWith("data dir/données brutes.txt", read["inputs"]![0]!["path"]!.GetValue<string>());
        Assert.Equal("01_read/résultat final.txt", read["outputs"]![0]!["path"]!.GetValue<string>());
        JobAssert.ManifestsAreValid(job);
    }
}
