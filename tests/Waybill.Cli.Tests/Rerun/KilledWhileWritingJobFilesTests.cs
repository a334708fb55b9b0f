using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Rerun;

/// <summary>
/// A run writes metadata.json, then the pipeline snapshot (pipeline.yaml, then run.json), then its job manifest. A kill
/// between two of these writes leaves a job that resume, run and verify still read for what it is.
/// </summary>
public sealed class KilledWhileWritingJobFilesTests : IDisposable
{
    private const string Pipeline = """
        name: cut
        stages:
          - id: 01_a
            run: echo a > {out.o}
            outputs: { o: a.txt }
          - id: 02_b
            inputs: { i: 01_a.o }
            run: cat {in.i} > {out.o}
            outputs: { o: b.txt }
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job(params string[] parts) => _temp.Combine(["out", "j", .. parts]);

    private async Task Run(string pipeline, string jobId)
    {
        _temp.Write("waybill.yaml", pipeline);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", jobId);
        Assert.True(run.ExitCode == 0, run.All);
    }

    [Fact]
    public async Task A_snapshot_cut_short_before_its_run_record_is_named_incomplete_and_a_run_finishes_the_job()
    {
        await Run(Pipeline, "j");
        File.Delete(Job(".waybill", "run.json")); // run.json is written last: a kill after pipeline.yaml leaves none

        var refused = await CliProcess.RunAsync(_temp.Path, "resume", "j");

        Assert.True(refused.ExitCode == 2, refused.All);
        Assert.Contains("the pipeline snapshot of job j is incomplete", refused.Stderr);
        Assert.Contains("its last run was stopped while writing it", refused.Stderr);
        Assert.Contains("run the pipeline file again with 'waybill run <pipeline> --job-id j'", refused.Stderr);
        await Run(Pipeline, "j");
        Assert.True(File.Exists(Job(".waybill", "run.json")));
        var resumed = await CliProcess.RunAsync(_temp.Path, "resume", "j");
        Assert.True(resumed.ExitCode == 0, resumed.All);
    }

    [Fact]
    public async Task A_rerun_killed_after_its_snapshot_and_before_its_job_manifest_is_reported_as_interrupted_and_resumes_its_snapshot()
    {
        await Run(Pipeline, "j");
        var before = _temp.Combine("before");
        CopyFolder(Job(), before);
        await Run(Pipeline.Replace("echo a", "echo changed", StringComparison.Ordinal), "j");
        // The job as the second run left it had it been killed right after its snapshot: its job-level files, the rest of the first run's.
        foreach (var file in new[] { "metadata.json", ".waybill/pipeline.yaml", ".waybill/run.json" })
            File.Copy(Job(file), Path.Combine(before, file), overwrite: true);
        Directory.Delete(Job(), recursive: true);
        Directory.Move(before, Job());
        var second = JsonNode.Parse(File.ReadAllText(Job("metadata.json")))!["last_run_id"]!.GetValue<string>();
        Assert.Equal("a\n", File.ReadAllText(Job("02_b", "b.txt")));

        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "j", "--json");

        Assert.True(verify.ExitCode == 1, verify.All);
        var findings = JsonNode.Parse(verify.Stdout)!["findings"]!.AsArray().Select(f => f!).ToList();
        var interrupted = Assert.Single(findings, f => f["kind"]!.GetValue<string>() == "interrupted_run");
        Assert.Contains($"run {second} was stopped before it wrote its job manifest", interrupted["message"]!.GetValue<string>());
        Assert.DoesNotContain(findings, f => f["kind"]!.GetValue<string>() is "job_file_changed" or "job_file_missing");

        var resumed = await CliProcess.RunAsync(_temp.Path, "resume", "j");

        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Equal("changed\n", File.ReadAllText(Job("02_b", "b.txt"))); // the snapshot the killed run wrote is what ran
        var clean = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.True(clean.ExitCode == 0, clean.All);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
