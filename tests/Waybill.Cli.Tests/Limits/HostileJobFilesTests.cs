using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Limits;

/// <summary>JSON files of a job replaced by hostile ones (nested 10,000 deep) get a clear error naming the file, never exit 70.</summary>
public sealed class HostileJobFilesTests : IDisposable
{
    private const int Levels = 10_000;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> RunJob()
    {
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_a\n    run: echo hi > {out.o}\n    outputs: { o: o.txt }\n");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        return _temp.Combine("out", "j");
    }

    [Theory]
    [InlineData("exec-stage")]
    [InlineData("resume")]
    public async Task A_deeply_nested_run_record_is_named_as_damaged(string command)
    {
        var job = await RunJob();
        var runRecord = Path.Combine(job, ".waybill", "run.json");
        File.WriteAllText(runRecord, new string('[', Levels) + new string(']', Levels));
        string[] args = command == "resume" ? ["resume", "j"] : ["exec-stage", "j", "01_a"];

        // The job manifest seals run.json: the edit is caught before the file is parsed.
        var sealedResult = await CliProcess.RunAsync(_temp.Path, args);
        Assert.True(sealedResult.ExitCode == 2, sealedResult.All);
        Assert.Contains($"{runRecord} was changed after the run wrote it", sealedResult.Stderr);

        // Without the job manifest (lost, or a job of an older version) the reader itself is bounded and names the file.
        File.Delete(Path.Combine(job, "manifest.json"));
        var result = await CliProcess.RunAsync(_temp.Path, args);
        Assert.True(result.ExitCode == 2, result.All);
        Assert.Contains($"the job's run record {runRecord} cannot be read: The maximum configured depth of 64", result.Stderr);
        Assert.Contains("run the pipeline again", result.Stderr);
    }

    [Theory]
    [InlineData("exec-stage")]
    [InlineData("resume")]
    public async Task A_snapshot_over_a_limit_is_named_as_the_snapshot_not_the_pipeline_file(string command)
    {
        _temp.Write("waybill.yaml",
            "config:\n  list: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]\nstages:\n  - id: 01_a\n    run: echo hi > {out.o}\n"
            + "    outputs: { o: o.txt }\n");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        var snapshot = _temp.Combine("out", "j", ".waybill", "pipeline.yaml");
        string[] args = command == "resume" ? ["resume", "j"] : ["exec-stage", "j", "01_a"];

        // The config's values are counted after the text is parsed: that error, too, must point into the file that was read.
        var result = await CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["WAYBILL_MAX_PIPELINE_NODES"] = "10" }, args);
        Assert.True(result.ExitCode == 2, result.All);
        Assert.Contains($"{snapshot}:2:", result.Stderr);
        Assert.Contains("more than 10 values", result.Stderr);
        Assert.DoesNotContain(_temp.Combine("waybill.yaml") + ":", result.Stderr);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("verify")]
    [InlineData("manifest")]
    public async Task A_deeply_nested_stage_manifest_is_reported_not_crashed_on(string command)
    {
        var job = await RunJob();
        File.WriteAllText(Path.Combine(job, "01_a", "manifest.json"),
            string.Concat(Enumerable.Repeat("{\"a\":", Levels)) + "1" + new string('}', Levels));
        var result = await CliProcess.RunAsync(_temp.Path, command == "manifest" ? ["manifest", "j", "01_a"] : [command, "j"]);
        Assert.NotEqual(70, result.ExitCode);
        Assert.Contains("maximum configured depth of 64", result.All);
        Assert.DoesNotContain("   at ", result.All);
    }
}
