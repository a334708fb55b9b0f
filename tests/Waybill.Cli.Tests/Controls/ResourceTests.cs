using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Controls;

/// <summary>
/// threads, memory and gpus through the real CLI: counted against --cores, --memory and --gpus, told to the commands,
/// refused before anything runs when a run can never grant them, and memory enforced as a limit.
/// </summary>
public sealed class ResourceTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // No GPU is found whatever machine the tests run on; --gpus says how many the run hands out.
    private static readonly Dictionary<string, string> NoGpus = new() { ["CUDA_VISIBLE_DEVICES"] = "" };

    private static readonly string[] GpuStages = ["01_left", "02_right"];

    private Task<CliProcess.Result> Waybill(params string[] args) => CliProcess.RunAsync(_temp.Path, NoGpus, args);

    /// <summary>
    /// A command that tells whether <paramref name="other"/> ran at the same time. It marks itself running, waits up to
    /// <paramref name="tenths"/> tenths of a second for the other to be running, and when it is, waits (up to 10 s) until
    /// the other has seen it too before it ends, so neither can miss the other; it writes "together" or "alone" into seen.txt.
    /// Stages expected together wait long (a loaded machine may start the second late); stages expected apart wait briefly.
    /// </summary>
    private static string Handshake(string me, string other, int tenths = 100) => $"""
        d="$WAYBILL_JOB_DIR"; touch "$d/{me}.on"; n=0
              while [ $n -lt {tenths} ] && ! ( [ -e "$d/{other}.on" ] && [ ! -e "$d/{other}.off" ] ); do sleep 0.1; n=$((n+1)); done
              if [ -e "$d/{other}.on" ] && [ ! -e "$d/{other}.off" ]; then
                echo together > seen.txt; touch "$d/{me}.saw"; n=0
                while [ $n -lt 100 ] && [ ! -e "$d/{other}.saw" ]; do sleep 0.1; n=$((n+1)); done
              else echo alone > seen.txt; fi
              touch "$d/{me}.off"
        """;

    private static string TwoStages(int threads, int tenths) => $"""
        stages:
          - id: 01_left
            threads: {threads}
            run: |
              {Handshake("left", "right", tenths)}
            outputs: {"{"} seen: seen.txt {"}"}
          - id: 02_right
            threads: {threads}
            run: |
              {Handshake("right", "left", tenths)}
            outputs: {"{"} seen: seen.txt {"}"}
        """;

    private JsonNode Manifest(string job, string stage) => JsonNode.Parse(File.ReadAllText(_temp.Combine("out", job, stage, "manifest.json")))!;

    private string Seen(string job, string stage) => File.ReadAllText(_temp.Combine("out", job, stage, "seen.txt")).Trim();

    [Fact]
    public async Task Two_stages_of_two_threads_never_overlap_on_two_cores_and_two_of_one_thread_do()
    {
        _temp.Write("two.yaml", TwoStages(2, tenths: 10));
        _temp.Write("one.yaml", TwoStages(1, tenths: 100));
        var wide = await Waybill("run", "two.yaml", "--job-id", "wide", "--cores", "2", "--jobs", "4");
        var narrow = await Waybill("run", "one.yaml", "--job-id", "narrow", "--cores", "2", "--jobs", "4");
        Assert.True(wide.ExitCode == 0, wide.All);
        Assert.True(narrow.ExitCode == 0, narrow.All);

        Assert.Equal(("alone", "alone"), (Seen("wide", "01_left"), Seen("wide", "02_right")));
        var (left, right) = (Manifest("wide", "01_left"), Manifest("wide", "02_right"));
        Assert.True(Finished(left) <= Started(right) || Finished(right) <= Started(left), "two stages of 2 threads on 2 cores ran at once");
        Assert.Equal(("together", "together"), (Seen("narrow", "01_left"), Seen("narrow", "02_right")));

        Assert.Equal(2, left["resources"]!["requested"]!["threads"]!.GetValue<int>());
        Assert.Equal(0, left["resources"]!["requested"]!["gpus"]!.GetValue<int>());
        Assert.Null(left["resources"]!["gpu_devices"]);
        var metadata = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "wide", "metadata.json")))!;
        Assert.Equal(2, metadata["resources"]!["cores"]!.GetValue<int>());
        Assert.Contains("on 2 cores", wide.Stdout);
        JobAssert.ManifestsAreValid(_temp.Combine("out", "wide"));
    }

    private static DateTimeOffset Started(JsonNode manifest) => manifest["started_utc"]!.GetValue<DateTimeOffset>();

    private static DateTimeOffset Finished(JsonNode manifest) => manifest["finished_utc"]!.GetValue<DateTimeOffset>();

    [Fact]
    public async Task Commands_see_their_threads_and_a_value_from_env_wins_except_over_waybill_threads()
    {
        const string show = "echo $OMP_NUM_THREADS $MKL_NUM_THREADS $OPENBLAS_NUM_THREADS $NUMEXPR_NUM_THREADS $VECLIB_MAXIMUM_THREADS "
            + "$RAYON_NUM_THREADS $WAYBILL_THREADS > {out.t}";
        _temp.Write("waybill.yaml", $$"""
            stages:
              - id: 01_three
                threads: 3
                run: {{show}}
                outputs: { t: t.txt }
              - id: 02_default
                run: {{show}}
                outputs: { t: t.txt }
              - id: 03_own
                threads: 2
                env: { OMP_NUM_THREADS: "7", WAYBILL_THREADS: "9" }
                run: {{show}}
                outputs: { t: t.txt }
            """);
        var result = await Waybill("run", "waybill.yaml", "--job-id", "t", "--cores", "3");
        Assert.True(result.ExitCode == 0, result.All);

        Assert.Equal("3 3 3 3 3 3 3", File.ReadAllText(_temp.Combine("out", "t", "01_three", "t.txt")).Trim());
        Assert.Equal("1 1 1 1 1 1 1", File.ReadAllText(_temp.Combine("out", "t", "02_default", "t.txt")).Trim());
        Assert.Equal("7 2 2 2 2 2 2", File.ReadAllText(_temp.Combine("out", "t", "03_own", "t.txt")).Trim());
    }

    [Fact]
    public async Task A_request_larger_than_the_run_allows_is_an_error_at_its_place_and_nothing_runs()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_wide
                threads: 4
                run: touch "$WAYBILL_JOB_DIR/../../ran-01"
              - id: 02_hungry
                memory: 2GiB
                run: touch "$WAYBILL_JOB_DIR/../../ran-02"
              - id: 03_gpu
                gpus: 1
                run: touch "$WAYBILL_JOB_DIR/../../ran-03"
            """);
        foreach (var command in new[] { "run", "validate" })
        {
            var result = await Waybill(command, "waybill.yaml", "--cores", "2", "--memory", "1GiB");
            Assert.True(result.ExitCode == 2, result.All);
            Assert.Contains("waybill.yaml:3:14: 01_wide.threads: asks for 4 threads, but this run may use 2 cores (--cores) "
                + "(lower threads, or raise --cores)", result.Stderr);
            Assert.Contains("waybill.yaml:6:13: 02_hungry.memory: asks for 2GiB, but this run may use 1GiB (--memory) "
                + "(lower memory, or raise --memory)", result.Stderr);
            Assert.Contains("waybill.yaml:9:11: 03_gpu.gpus: asks for 1 GPU, but this run may use none (none was found on this machine)",
                result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr);
        }
        var dryRun = await Waybill("run", "waybill.yaml", "--dry-run", "--cores", "2", "--memory", "4GiB", "--gpus", "1");
        Assert.True(dryRun.ExitCode == 2, dryRun.All);
        Assert.Contains("01_wide.threads: asks for 4 threads", dryRun.Stderr);
        Assert.DoesNotContain("02_hungry", dryRun.Stderr);

        Assert.False(Directory.Exists(_temp.Combine("out")), "a refused run must not create a job folder");
        Assert.Empty(Directory.GetFiles(_temp.Path, "ran-*"));
        var fits = await Waybill("run", "waybill.yaml", "--job-id", "fits", "--cores", "4", "--memory", "2GiB", "--gpus", "1");
        Assert.True(fits.ExitCode == 0, fits.All);
        Assert.Equal(3, Directory.GetFiles(_temp.Path, "ran-*").Length);
    }

    [Fact]
    public async Task The_machine_is_the_default_limit()
    {
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_wide\n    threads: 100000\n    run: 'true'\n");
        var result = await Waybill("validate", "waybill.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"01_wide.threads: asks for 100000 threads, but this run may use {Environment.ProcessorCount} core", result.Stderr);
        Assert.Contains("(this machine's; --cores sets another limit)", result.Stderr);
    }

    [Fact]
    public async Task Threads_set_on_the_command_line_are_counted_and_told_like_those_in_the_file()
    {
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_x\n    threads: 1\n    run: echo $OMP_NUM_THREADS > {out.t}\n    outputs: { t: t.txt }\n");
        var refused = await Waybill("run", "waybill.yaml", "--set", "01_x.threads=2", "--cores", "1");
        Assert.Equal(2, refused.ExitCode);
        // The value came from --set, not from line 3 of the file.
        Assert.Contains("error: 01_x.threads: asks for 2 threads, but this run may use 1 core (--cores) (set with --set)", refused.Stderr);

        var run = await Waybill("run", "waybill.yaml", "--set", "01_x.threads=2", "--cores", "2", "--job-id", "s");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal("2", File.ReadAllText(_temp.Combine("out", "s", "01_x", "t.txt")).Trim());
        Assert.Equal(2, Manifest("s", "01_x")["resources"]!["requested"]!["threads"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_command_over_its_memory_limit_fails_with_a_message_that_says_so()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_small
                memory: 200MiB
                run: python3 -c "data = b'x' * (50 << 20)"
              - id: 02_greedy
                memory: 200MiB
                run: python3 -c "data = b'x' * (1 << 30)"
            """);
        var result = await Waybill("run", "waybill.yaml", "--job-id", "m", "--keep-going");
        Assert.Equal(1, result.ExitCode);

        var small = Manifest("m", "01_small");
        Assert.Equal("success", small["status"]!.GetValue<string>());
        var greedy = Manifest("m", "02_greedy");
        Assert.Equal("failed", greedy["status"]!.GetValue<string>());
        var reason = greedy["status_reason"]!.GetValue<string>();
        Assert.StartsWith("command exceeded its memory limit of 200MiB (", reason);
        var method = greedy["resources"]!["memory_limit"]!.GetValue<string>();
        Assert.True(method is "rlimit_as" or "cgroup", method);
        Assert.Contains(method == "cgroup" ? "cgroup v2 memory.max" : "RLIMIT_AS): MemoryError", reason);
        Assert.True(greedy["resources"]!["memory_limit_exceeded"]!.GetValue<bool>());
        Assert.Equal(200L << 20, greedy["resources"]!["requested"]!["memory_bytes"]!.GetValue<long>());
        Assert.Contains("exceeded its memory limit of 200MiB", File.ReadAllText(_temp.Combine("out", "m", "02_greedy", "stage.log")));
        Assert.Contains("exceeded its memory limit", result.Stdout);
        JobAssert.ManifestsAreValid(_temp.Combine("out", "m"));
    }

    [Fact]
    public async Task The_memory_of_an_in_process_stage_is_counted_not_limited_and_the_run_says_so_once()
    {
        _temp.Write("in.txt", "x\n");
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_copy
                uses: copy
                memory: 100MiB
                inputs: { a: { path: in.txt } }
                outputs: { a: a.txt }
              - id: 02_again
                uses: copy
                memory: 100MiB
                inputs: { a: 01_copy.a }
                outputs: { a: a.txt }
            """);
        var result = await Waybill("run", "waybill.yaml", "--job-id", "c");
        Assert.True(result.ExitCode == 0, result.All);

        const string warning = "memory of 01_copy, 02_again is counted against --memory but not enforced";
        Assert.Equal(1, result.Stdout.Split(warning).Length - 1);
        Assert.Equal("none", Manifest("c", "01_copy")["resources"]!["memory_limit"]!.GetValue<string>());
        Assert.Contains(warning, File.ReadAllText(Directory.GetFiles(_temp.Combine("out", "c", "logs"), "99_pipeline_*.log").Single()));
    }

    [Fact]
    public async Task Each_gpu_goes_to_one_stage_at_a_time_and_a_stage_without_gpus_sees_none()
    {
        _temp.Write("waybill.yaml", $"""
            stages:
              - id: 01_left
                gpus: 1
                run: |
                  echo "$CUDA_VISIBLE_DEVICES" > gpu.txt
                  {Handshake("left", "right")}
                outputs: {"{"} gpu: gpu.txt {"}"}
              - id: 02_right
                gpus: 1
                run: |
                  echo "$CUDA_VISIBLE_DEVICES" > gpu.txt
                  {Handshake("right", "left")}
                outputs: {"{"} gpu: gpu.txt {"}"}
              - id: 03_cpu
                run: (env | grep '^CUDA_VISIBLE_DEVICES=' || echo unset) > {"{"}out.gpu{"}"}
                outputs: {"{"} gpu: gpu.txt {"}"}
            """);
        var result = await Waybill("run", "waybill.yaml", "--job-id", "g", "--gpus", "2", "--cores", "3", "--jobs", "3");
        Assert.True(result.ExitCode == 0, result.All);

        Assert.Equal(("together", "together"), (Seen("g", "01_left"), Seen("g", "02_right")));
        var devices = GpuStages.Select(s => File.ReadAllText(_temp.Combine("out", "g", s, "gpu.txt")).Trim()).Order().ToList();
        Assert.Equal(["0", "1"], devices);
        Assert.Equal("CUDA_VISIBLE_DEVICES=", File.ReadAllText(_temp.Combine("out", "g", "03_cpu", "gpu.txt")).Trim());
        var left = Manifest("g", "01_left")["resources"]!;
        Assert.Equal(File.ReadAllText(_temp.Combine("out", "g", "01_left", "gpu.txt")).Trim(),
            left["gpu_devices"]!.AsArray().Single()!.GetValue<string>());
        Assert.Empty(Manifest("g", "03_cpu")["resources"]!["gpu_devices"]!.AsArray());
        JobAssert.ManifestsAreValid(_temp.Combine("out", "g"));
    }
}
