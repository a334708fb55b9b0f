using System.Globalization;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Protocol;

/// <summary>
/// Bash stages that record through <c>waybill stage ...</c>: the same warnings, files, config, resources and statuses a C#
/// stage records, in stage.log, the pipeline log and the manifest; and clear errors when a verb is misused.
/// </summary>
public sealed class ShellVerbTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ProtocolJob _job;

    public ShellVerbTests() => _job = new ProtocolJob(_temp);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_bash_stage_records_warnings_files_config_resources_and_its_status_through_the_verbs()
    {
        var run = await _job.RunAsync("""
            name: shell
            stages:
              - id: 01_make
                run: |
                  set -e
                  waybill stage log "starting the shell stage"
                  waybill stage log --level debug "a detail"
                  waybill stage warn input is mono, upmixing
                  mkdir -p .cache && echo frames > .cache/frames.bin
                  waybill stage track-intermediate .cache/frames.bin --reason "decoded frames, reused by reruns" --meta frames=250
                  echo scratch > scratch.bin
                  waybill stage track-intermediate scratch.bin --not-retained --reason scratch
                  echo result > {out.result}
                  waybill stage track-output {out.result} --type text --meta lines=1 --meta lang=en
                  waybill stage config beam=5 model=small
                  waybill stage resource model_load_seconds=2.5 device=cpu
                  waybill stage gpu
                  waybill stage error one frame was damaged
                outputs: { result: result.txt }
              - id: 02_skip
                run: waybill stage finalize skipped --reason "nothing to do" checked=3
              - id: 03_fail
                run: waybill stage finalize failed --reason "no usable audio"
            """, "--keep-going");

        Assert.True(run.ExitCode == 1, run.All);
        JobAssert.ManifestsAreValid(_job.JobDir);
        var log = _job.StageLog("01_make");
        Assert.Contains("[stage.make] [INFO] starting the shell stage", log);
        Assert.Contains("[stage.make] [DEBUG] a detail", log);
        Assert.Contains("[stage.make] [WARNING] input is mono, upmixing", log);
        Assert.Contains("[stage.make] [ERROR] one frame was damaged", log);
        var pipelineLog = _job.PipelineLog();
        Assert.Contains("[stage.make] [INFO] starting the shell stage", pipelineLog);
        Assert.Contains("[stage.make] [WARNING] input is mono, upmixing", pipelineLog);
        Assert.DoesNotContain("a detail", pipelineLog);

        var manifest = _job.Manifest("01_make");
        Assert.Equal("success", manifest["status"]!.GetValue<string>());
        var warning = manifest["warnings"]!.AsArray().Single()!;
        Assert.Equal("input is mono, upmixing", warning["message"]!.GetValue<string>());
        var at = DateTimeOffset.Parse(warning["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var started = DateTimeOffset.Parse(manifest["started_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.InRange(at, started.AddSeconds(-1), DateTimeOffset.Parse(manifest["finished_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(["one frame was damaged"], _job.Errors("01_make"));

        var intermediates = manifest["intermediate_files"]!.AsArray();
        var frames = intermediates.Single(f => f!["path"]!.GetValue<string>() == "01_make/.cache/frames.bin")!;
        Assert.True(frames["retained"]!.GetValue<bool>());
        Assert.Equal("decoded frames, reused by reruns", frames["reason"]!.GetValue<string>());
        Assert.Equal(250, frames["frames"]!.GetValue<int>());
        Assert.StartsWith("xxh128:", frames["checksum"]!.GetValue<string>());
        var scratch = intermediates.Single(f => f!["path"]!.GetValue<string>() == "01_make/scratch.bin")!;
        Assert.False(scratch["retained"]!.GetValue<bool>());

        var result = manifest["outputs"]!.AsArray().Single()!;
        Assert.Equal("result", result["name"]!.GetValue<string>());
        Assert.Equal("text", result["type"]!.GetValue<string>());
        Assert.Equal(1, result["lines"]!.GetValue<int>());
        Assert.Equal("en", result["lang"]!.GetValue<string>());
        Assert.Equal(5, manifest["config"]!["beam"]!.GetValue<int>());
        Assert.Equal("small", manifest["config"]!["model"]!.GetValue<string>());
        Assert.Equal(2.5, manifest["resources"]!["model_load_seconds"]!.GetValue<double>());
        Assert.Equal("cpu", manifest["resources"]!["device"]!.GetValue<string>());
        Assert.True(manifest["resources"]!["gpu_used"]!.GetValue<bool>());

        var skipped = _job.Manifest("02_skip");
        Assert.Equal("skipped", skipped["status"]!.GetValue<string>());
        Assert.Equal("nothing to do", skipped["status_reason"]!.GetValue<string>());
        Assert.Equal(3, skipped["summary"]!["checked"]!.GetValue<int>());
        var failed = _job.Manifest("03_fail");
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal("no usable audio", failed["status_reason"]!.GetValue<string>());
        Assert.Equal(["no usable audio"], _job.Errors("03_fail"));
        _job.NoChannelsLeft();
    }

    [Fact]
    public async Task Channel_messages_and_stderr_lines_keep_the_order_the_stage_wrote_them_in()
    {
        // What is checked: a channel message sent before an output line is logged before it. The other way round (an
        // output line before a later message) holds only while the engine's output reader keeps up with the stage: a
        // reader that a busy machine leaves unscheduled finds the later message already in the file when it gets to the
        // line. So after each output line the stage waits until stage.log shows it (flushed within 200 ms), then goes on.
        var run = await _job.RunAsync("""
            name: order
            stages:
              - id: 01_mixed
                run: |
                  logged() {
                    i=0
                    until grep -qF "| $1" stage.log 2>/dev/null; do i=$((i + 1)); [ $i -gt 600 ] && exit 1; sleep 0.05; done
                  }
                  waybill stage log "step 1 (channel)"
                  echo "step 2 (stderr)" >&2
                  logged "step 2"
                  waybill stage log "step 3 (channel)"
                  echo "step 4 (stdout)"
                  logged "step 4"
                  waybill stage warn "step 5 (channel)"
                  echo "step 6 (stderr)" >&2
            """);

        Assert.True(run.ExitCode == 0, run.All);
        var steps = _job.StageLog("01_mixed").Split('\n').Where(l => l.Contains("] step ", StringComparison.Ordinal) || l.Contains("| step ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("step ", StringComparison.Ordinal) + 5)..][..1]).ToList();
        Assert.Equal(["1", "2", "3", "4", "5", "6"], steps);
    }

    [Fact]
    public async Task Verbs_from_several_processes_at_once_never_interleave_their_lines()
    {
        var run = await _job.RunAsync("""
            name: parallel
            stages:
              - id: 01_many
                run: |
                  for writer in 1 2 3 4; do
                    ( for i in 1 2 3 4 5 6 7 8; do waybill stage log "writer $writer line $i"; done ) &
                  done
                  wait
            """);

        Assert.True(run.ExitCode == 0, run.All);
        var log = _job.StageLog("01_many");
        for (var writer = 1; writer <= 4; writer++)
            for (var i = 1; i <= 8; i++) Assert.Contains($"[stage.many] [INFO] writer {writer} line {i}\n", log);
        Assert.Empty(_job.Warnings("01_many"));
    }

    [Fact]
    public async Task Misused_verbs_fail_with_a_clear_error_and_write_nothing()
    {
        var channel = _temp.Combine("channel.jsonl");
        var inside = new Dictionary<string, string> { ["WAYBILL_STAGE_CHANNEL"] = channel };

        var outside = await CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["WAYBILL_STAGE_CHANNEL"] = "" }, "stage", "warn", "hi");
        Assert.Equal(2, outside.ExitCode);
        Assert.Contains("waybill stage: not inside a Waybill stage (WAYBILL_STAGE_CHANNEL is not set)", outside.Stderr);

        var malformed = await CliProcess.RunAsync(_temp.Path, inside, "stage", "config", "beam=5", "beam");
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("waybill stage config: config value 'beam' is not KEY=VALUE", malformed.Stderr);
        Assert.Contains("e.g. waybill stage config beam_size=5", malformed.Stderr);

        var meta = await CliProcess.RunAsync(_temp.Path, inside, "stage", "track-output", "x.txt", "--meta", "=3");
        Assert.Equal(2, meta.ExitCode);
        Assert.Contains("--meta '=3' is not KEY=VALUE", meta.Stderr);

        var empty = await CliProcess.RunAsync(_temp.Path, inside, "stage", "resource", "frames=");
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("resource 'frames=' has no value", empty.Stderr);

        // One argument may hold at most 128 KiB on Linux: ten of them make a message over the 1 MiB line limit.
        var words = Enumerable.Repeat(new string('a', 110_000), 10).ToArray();
        var tooLong = await CliProcess.RunAsync(_temp.Path, inside, ["stage", "log", .. words]);
        Assert.Equal(2, tooLong.ExitCode);
        Assert.Matches(@"waybill stage: the log message is too long: \d+ bytes, and the stage channel takes lines of at most 1048576",
            tooLong.Stderr);

        var level = await CliProcess.RunAsync(_temp.Path, inside, "stage", "log", "--level", "loud", "x");
        Assert.Equal(2, level.ExitCode);
        Assert.Contains("--level 'loud' is not a level", level.Stderr);

        var status = await CliProcess.RunAsync(_temp.Path, inside, "stage", "finalize", "done");
        Assert.Equal(2, status.ExitCode);
        Assert.Contains("status 'done' is not success, failed or skipped", status.Stderr);

        Assert.False(File.Exists(channel), "a refused verb wrote to the channel");
    }

    [Fact]
    public async Task The_bash_sample_records_a_warning_an_intermediate_and_a_resource()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(CliProcess.RepoRoot, "samples", "bash")))
            File.Copy(file, _temp.Combine(Path.GetFileName(file)));

        var run = await CliProcess.RunAsync(_temp.Path, _job.Environment(), "run", "waybill.yaml", "--job-id", "j");

        Assert.True(run.ExitCode == 0, run.All);
        JobAssert.ManifestsAreValid(_job.JobDir);
        var stage = Directory.GetDirectories(_job.JobDir).Select(Path.GetFileName).Single(d => d!.EndsWith("_count", StringComparison.Ordinal))!;
        var manifest = _job.Manifest(stage);
        Assert.Single(manifest["warnings"]!.AsArray());
        Assert.Contains(manifest["intermediate_files"]!.AsArray(), f => f!["reason"] is not null);
        Assert.NotNull(manifest["resources"]!["words"]);
        Assert.Contains("[WARNING]", _job.StageLog(stage));
    }
}
