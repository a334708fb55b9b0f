using System.Diagnostics;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Rerun;

/// <summary>
/// Kills <c>waybill run</c> with SIGKILL at random moments, then resumes the job: manifests always parse, no stage
/// claims success over missing or different outputs, and the resumed job ends with the same bytes as an unbroken run.
/// </summary>
public sealed class CrashResumeTests : IDisposable
{
    // Each trial starts the CLI twice (run, then resume): about 1.9 s a trial on a loaded 2-core machine, so 30 trials
    // keep the class near a minute there.
    private const int Trials = 30;

    // Parallel branches, sleeps that leave windows inside stages, and outputs that depend on every input byte.
    // 07_appended only ever appends (>>), in steps: a rerun that found its earlier lines would add to them.
    private const string Pipeline = """
        name: crash
        stages:
          - id: 01_numbers
            run: 'seq 1 20000 > {out.numbers}; sleep 0.05'
            outputs: { numbers: numbers.txt }
          - id: 02_reverse
            inputs: { numbers: 01_numbers.numbers }
            run: 'sort -rn {in.numbers} > {out.reversed}; sleep 0.1'
            outputs: { reversed: reversed.txt }
          - id: 03_squares
            inputs: { numbers: 01_numbers.numbers }
            run: 'awk "{print \$1*\$1}" {in.numbers} > {out.squares}; sleep 0.1'
            outputs: { squares: squares.txt }
          - id: 04_pairs
            inputs: { a: 02_reverse.reversed, b: 03_squares.squares }
            run: 'paste {in.a} {in.b} > {out.pairs}; sleep 0.05'
            outputs: { pairs: pairs.txt }
          - id: 05_sum
            inputs: { pairs: 04_pairs.pairs }
            run: 'awk "{s+=\$1+\$2} END {print s}" {in.pairs} > {out.sum}; cksum < {in.pairs} > {out.cksum}'
            outputs: { sum: sum.txt, cksum: cksum.txt }
          - id: 06_report
            inputs: { sum: 05_sum.sum, pairs: 04_pairs.pairs }
            run: 'cat {in.sum} > {out.report}; head -n 5 {in.pairs} >> {out.report}; sleep 0.05'
            outputs: { report: report.txt }
          - id: 07_appended
            inputs: { numbers: 01_numbers.numbers }
            run: 'for i in 1 2 3; do tail -n $i {in.numbers} >> {out.log}; sleep 0.03; done'
            outputs: { log: log.txt }
          - id: 08_tally
            inputs: { log: 07_appended.log }
            run: 'wc -l < {in.log} > {out.tally}; cat {in.log} >> {out.tally}'
            outputs: { tally: tally.txt }
        """;

    private static readonly string[] FinalOutputs =
        ["05_sum/sum.txt", "05_sum/cksum.txt", "06_report/report.txt", "04_pairs/pairs.txt", "07_appended/log.txt", "08_tally/tally.txt"];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_job_killed_at_random_moments_resumes_to_the_same_bytes_as_an_unbroken_run()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var clock = Stopwatch.StartNew();
        var reference = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "reference", "--jobs", "2");
        Assert.True(reference.ExitCode == 0, reference.All);
        var span = clock.Elapsed;
        var expected = FinalOutputs.ToDictionary(p => p, p => Hash(Path.Combine(_temp.Path, "out", "reference", p)));

        var random = new Random(20261127);
        var killedMidRun = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var jobId = $"t{trial:00}";
            var job = _temp.Combine("out", jobId);
            using (var run = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", jobId, "--jobs", "2"))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * span.TotalMilliseconds));
                if (!run.HasExited)
                {
                    run.Kill(); // SIGKILL: no handler runs, nothing is flushed
                    killedMidRun++;
                }
                await run.WaitForExitAsync();
            }
            if (Directory.Exists(job)) AssertSoundAfterKill(job, trial);

            // run.json is the snapshot's last file: killed before it, the run ran no stage and resume says to run again.
            var snapshotWhole = File.Exists(Path.Combine(job, ".waybill", "run.json"));
            if (!snapshotWhole && File.Exists(Path.Combine(job, ".waybill", "pipeline.yaml")))
            {
                var refused = await CliProcess.RunAsync(_temp.Path, "resume", jobId);
                Assert.True(refused.ExitCode == 2 && refused.Stderr.Contains("is incomplete", StringComparison.Ordinal),
                    $"trial {trial}: {refused.All}");
            }
            var resume = snapshotWhole
                ? await CliProcess.RunAsync(_temp.Path, "resume", jobId, "--jobs", "2")
                : await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", jobId, "--jobs", "2");
            Assert.True(resume.ExitCode == 0, $"trial {trial}: {resume.All}");
            JobAssert.ManifestsAreValid(job);
            foreach (var (path, hash) in expected) Assert.True(hash == Hash(Path.Combine(job, path)), $"trial {trial}: {path} differs from the unbroken run");
            Directory.Delete(job, recursive: true);
        }
        // The delays cover the whole run, so most kills land while it works; make sure the test really killed runs.
        Assert.True(killedMidRun >= Trials / 2, $"only {killedMidRun} of {Trials} runs were still running when killed");
        ReliabilityFigures.Record("SIGKILL trials resumed to identical bytes", $"{Trials} ({killedMidRun} killed mid-run, 8 stages, one appending)");
    }

    /// <summary>Right after the kill: every manifest parses, and a stage marked success has exactly the outputs it recorded.</summary>
    private static void AssertSoundAfterKill(string job, int trial)
    {
        foreach (var manifestPath in Directory.GetFiles(job, "manifest.json", SearchOption.AllDirectories))
        {
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!; // throws on a torn file
            if (manifestPath == Path.Combine(job, "manifest.json") || manifest["status"]!.GetValue<string>() != "success") continue;
            foreach (var output in manifest["outputs"]!.AsArray())
            {
                var file = Path.Combine(job, output!["path"]!.GetValue<string>());
                Assert.True(File.Exists(file), $"trial {trial}: {manifestPath} says success but {file} is missing");
                Assert.True(output["checksum"]!.GetValue<string>() == FileHasher.Compute(file, ChecksumAlgorithm.XxHash128), $"trial {trial}: {file} differs from its manifest");
            }
        }
    }

    private static string Hash(string path) => FileHasher.Compute(path, ChecksumAlgorithm.XxHash128);
}
