using System.Diagnostics;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Rerun;

/// <summary>
/// Every attempt of a stage starts without its declared outputs: nothing from an earlier attempt survives into it, a
/// failed attempt puts the earlier outputs back without claiming them, and no output is written through a link that
/// leads out of the job.
/// </summary>
public sealed class StaleOutputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    private string Read(params string[] parts) => File.ReadAllText(Path.Combine([Job, .. parts]));

    private JsonNode Manifest(string stageId) => JsonNode.Parse(Read(stageId, "manifest.json"))!;

    private Task<CliProcess.Result> Run(params string[] extra) =>
        CliProcess.RunAsync(_temp.Path, ["run", "waybill.yaml", "--job-id", "j", "--jobs", "1", .. extra]);

    private static void AssertNoneAside(string job) =>
        Assert.False(Directory.Exists(Path.Combine(job, ".waybill", "aside"))
            && Directory.EnumerateFileSystemEntries(Path.Combine(job, ".waybill", "aside")).Any(),
            "a finished run left previous outputs in .waybill/aside/");

    [Fact]
    public async Task A_rerun_of_an_appending_command_starts_from_an_empty_output()
    {
        _temp.Write("waybill.yaml", """
            name: append
            stages:
              - id: 01_lines
                run: 'for i in 1 2 3; do echo "line $i" >> {out.lines}; done'
                outputs: { lines: lines.txt }
            """);
        Assert.Equal(0, (await Run()).ExitCode);
        var again = await Run("--force", "all");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Equal("line 1\nline 2\nline 3\n", Read("01_lines", "lines.txt"));
        AssertNoneAside(Job);
    }

    private const string ConfigPipeline = """
        name: config
        config: { x: 1 }
        stages:
          - id: 01_make
            run: 'if [ {config.x} = 1 ]; then echo "made with x={config.x}" > {out.made}; fi'
            outputs: { made: made.txt }
          - id: 02_use
            inputs: { made: 01_make.made }
            run: 'cat {in.made} > {out.used}'
            outputs: { used: used.txt }
        """;

    [Fact]
    public async Task A_rerun_whose_command_writes_nothing_fails_and_the_earlier_output_is_not_presented_as_its_result()
    {
        _temp.Write("waybill.yaml", ConfigPipeline);
        Assert.Equal(0, (await Run()).ExitCode);

        var rerun = await Run("--set", "x=2");
        Assert.True(rerun.ExitCode != 0, rerun.All);
        var manifest = Manifest("01_make");
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        Assert.Equal("declared output made was not produced", manifest["status_reason"]!.GetValue<string>());
        Assert.Equal(2, manifest["config"]!["x"]!.GetValue<int>());
        Assert.Empty(manifest["outputs"]!.AsArray()); // the x=1 file is not claimed by the x=2 attempt
        // Nothing lost: the file of the successful x=1 attempt is back in place, and the manifest says so.
        Assert.Equal("made with x=1\n", Read("01_make", "made.txt"));
        Assert.Contains(manifest["warnings"]!.AsArray(), w => w!["message"]!.GetValue<string>()
            .Contains("put back the outputs that were there before this attempt: 01_make/made.txt", StringComparison.Ordinal));
        Assert.Equal("skipped", Manifest("02_use")["status"]!.GetValue<string>());
        AssertNoneAside(Job);
        JobAssert.ManifestsAreValid(Job);

        // verify: no stage claims a file it did not produce, and the records that exist still match the disk.
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.DoesNotContain("01_make/made.txt", verify.Stdout);
        Assert.True(verify.ExitCode == 0, verify.All);

        // Back to x=1: the stage runs again (its last attempt failed) and the job is whole.
        var back = await Run("--set", "x=1");
        Assert.True(back.ExitCode == 0, back.All);
        Assert.Equal("made with x=1\n", Read("02_use", "used.txt"));
        Assert.Equal(0, (await CliProcess.RunAsync(_temp.Path, "verify", "j")).ExitCode);
    }

    [Fact]
    public async Task A_failing_rerun_puts_the_previous_outputs_back_in_place_of_its_partial_ones()
    {
        _temp.Write("waybill.yaml", """
            name: partial
            config: { v: 1 }
            stages:
              - id: 01_make
                run: 'echo "v{config.v} part" > {out.a}; echo "v{config.v}" > {out.b}; [ {config.v} = 1 ] || exit 3'
                outputs: { a: a.txt, b: sub/b.txt }
              - id: 02_use
                inputs: { b: 01_make.b }
                run: 'cat {in.b} > {out.c}'
                outputs: { c: c.txt }
            """);
        Assert.Equal(0, (await Run()).ExitCode);

        var failing = await Run("--set", "v=2");
        Assert.True(failing.ExitCode != 0, failing.All);
        Assert.Equal("failed", Manifest("01_make")["status"]!.GetValue<string>());
        Assert.Equal("v1 part\n", Read("01_make", "a.txt"));
        Assert.Equal("v1\n", Read("01_make", "sub", "b.txt"));
        Assert.Empty(Manifest("01_make")["outputs"]!.AsArray());
        AssertNoneAside(Job);
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.True(verify.ExitCode == 0, verify.All);

        // resume runs the failed stage again with the same settings: it fails the same way, and still loses nothing.
        var resume = await CliProcess.RunAsync(_temp.Path, "resume", "j");
        Assert.True(resume.ExitCode != 0, resume.All);
        Assert.Equal("v1\n", Read("01_make", "sub", "b.txt"));
        AssertNoneAside(Job);
    }

    [Fact]
    public async Task A_run_killed_while_outputs_are_aside_puts_them_back_on_resume_before_the_stage_runs_again()
    {
        var hold = _temp.Combine("hold");
        _temp.Write("waybill.yaml", $$"""
            name: held
            config: { n: 1 }
            stages:
              - id: 01_make
                run: 'echo "n={config.n}" >> {out.made}; while [ -f ../../../hold ]; do sleep 0.02; done'
                outputs: { made: made.txt }
            """);
        Assert.Equal(0, (await Run()).ExitCode);
        File.WriteAllText(hold, "");

        using (var run = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", "j", "--set", "n=2"))
        {
            var current = Path.Combine(Job, "01_make", "made.txt");
            var clock = Stopwatch.StartNew();
            while (!(File.Exists(current) && File.ReadAllText(current).Contains("n=2", StringComparison.Ordinal)))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the rerun never started its command");
                await Task.Delay(20);
            }
            run.Kill(); // SIGKILL, between moving the output aside and the end of the attempt
            await run.WaitForExitAsync();
        }
        Assert.Equal("n=1\n", Read(".waybill", "aside", "01_make", "made.txt"));
        File.Delete(hold);

        var resume = await CliProcess.RunAsync(_temp.Path, "resume", "j");
        Assert.True(resume.ExitCode == 0, resume.All);
        Assert.Contains("01_make: put back the previous outputs an interrupted run had moved aside", resume.All);
        Assert.Equal("n=2\n", Read("01_make", "made.txt")); // neither the kept file nor the killed attempt's line survived
        AssertNoneAside(Job);
        Assert.Equal(0, (await CliProcess.RunAsync(_temp.Path, "verify", "j")).ExitCode);
    }

    [Theory]
    [InlineData("made.txt", "made.txt")]
    [InlineData("sub/made.txt", "sub")]
    public async Task A_rerun_refuses_an_output_that_a_link_leads_out_of_the_job_and_leaves_the_outside_file_alone(string output, string linked)
    {
        _temp.Write("waybill.yaml", $$"""
            name: links
            stages:
              - id: 01_make
                run: 'echo made > {out.made}'
                outputs: { made: {{output}} }
            """);
        Assert.Equal(0, (await Run()).ExitCode);
        var outside = _temp.Write("elsewhere/made.txt", "precious\n");
        var inJob = Path.Combine(Job, "01_make", linked);
        if (Directory.Exists(inJob)) Directory.Delete(inJob, recursive: true);
        else File.Delete(inJob);
        if (linked == "sub") Directory.CreateSymbolicLink(inJob, Path.GetDirectoryName(outside)!);
        else File.CreateSymbolicLink(inJob, outside);

        var rerun = await Run("--force", "all");
        Assert.True(rerun.ExitCode != 0, rerun.All);
        Assert.Equal("precious\n", File.ReadAllText(outside));
        var manifest = Manifest("01_make");
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        var reason = manifest["status_reason"]!.GetValue<string>();
        Assert.Contains($"declared output made (01_make/{output}) leads through a symbolic link to ", reason);
        Assert.Contains("elsewhere/made.txt, outside the job folder", reason);
        Assert.Contains("remove the link and run again", reason);
        Assert.Null(manifest["exit_code"]); // refused before the command ran
        Assert.NotNull(new FileInfo(inJob).LinkTarget); // the link itself is left for the user to look at
    }

    [Fact]
    public async Task A_declared_output_that_is_a_directory_is_named_as_one()
    {
        _temp.Write("waybill.yaml", """
            name: folder
            stages:
              - id: 01_make
                run: 'mkdir {out.parts} && echo a > {out.parts}/a.txt'
                outputs: { parts: parts }
            """);
        var run = await Run();
        Assert.True(run.ExitCode != 0, run.All);
        var manifest = Manifest("01_make");
        var reason = manifest["status_reason"]!.GetValue<string>();
        Assert.StartsWith("declared output parts (01_make/parts) is a directory, not a file: outputs are files", reason);
        Assert.Contains("pack the folder", reason);
        Assert.Contains(manifest["errors"]!.AsArray(), e => e!["message"]!.GetValue<string>() == reason);
        Assert.DoesNotContain("not produced", run.All);
    }
}
