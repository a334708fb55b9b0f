using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Protocol;

/// <summary>
/// Command stages that write raw JSON lines to WAYBILL_STAGE_CHANNEL (docs/stage-protocol.md), as a stage in any
/// language can: every message type lands in the same records a C# stage's calls fill.
/// </summary>
public sealed class ChannelMergeTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ProtocolJob _job;

    public ChannelMergeTests() => _job = new ProtocolJob(_temp);

    public void Dispose() => _temp.Dispose();

    /// <summary>A shell function every stage below uses: one message, one line, appended.</summary>
    private const string Send = """send() { printf '%s\n' "$1" >> "$WAYBILL_STAGE_CHANNEL"; }""";

    [Fact]
    public async Task Every_message_type_written_as_raw_json_lands_in_the_records()
    {
        _temp.Write("input.txt", "seed\n");
        var pipeline = """
            name: raw
            stages:
              - id: 01_raw
                run: |
                  SEND
                  echo "$WAYBILL_PROTOCOL|$WAYBILL_STAGE_NAME|$WAYBILL_STAGE_ID|$WAYBILL_STAGE_CHANNEL" > {out.env}
                  send '{"type":"log","level":"info","message":"hello over the channel","logger":"app"}'
                  send '{"type":"log","level":"DEBUG","message":"a debug detail"}'
                  send '{"type":"log","level":"warn","message":"a logged warning, not recorded"}'
                  send '{"type":"log","level":"\u0069nfo","message":"retrying the download","exception":"Traceback (most recent call last):\nTimeoutError: too slow"}'
                  send '{"v":1,"type":"warning","message":"disk nearly full","t":"2026-01-02T03:04:05.678Z"}'
                  send '{"type":"error","message":"decoder hiccup","exception":"Traceback (most recent call last):\n  File \"x.py\", line 3, in <module>\nValueError: frame 12 is damaged"}'
                  send "{\"type\":\"track_input\",\"path\":\"$WAYBILL_JOB_DIR/../../input.txt\",\"file_type\":\"text\",\"name\":\"seed\",\"metadata\":{\"origin\":\"test\"}}"
                  echo extra > extra.txt
                  send '{"type":"track_output","path":"extra.txt","file_type":"text","format":"txt","name":"extra","metadata":{"lines":1,"lang":"en"}}'
                  mkdir -p .cache && echo scratch > .cache/tmp.bin
                  send '{"type":"track_intermediate","path":".cache/tmp.bin","retained":false,"reason":"scratch space","metadata":{"frames":12}}'
                  send '{"type":"set_config","values":{"model":"small","beam":3}}'
                  send '{"type":"add_config","key":"lang","value":"en"}'
                  send '{"type":"resources","values":{"model_load_seconds":1.5,"device":"cpu","warm":true}}'
                  send '{"type":"gpu","used":true}'
                  send '{"type":"tool_version","tool":"whisper","version":"1.2.3"}'
                  send '{"type":"finalize","status":"success","summary":{"segments":42}}'
                outputs: { env: env.txt }
            """.Replace("SEND", Send, StringComparison.Ordinal);

        var run = await _job.RunAsync(pipeline);

        Assert.True(run.ExitCode == 0, run.All);
        JobAssert.ManifestsAreValid(_job.JobDir);
        var manifest = _job.Manifest("01_raw");
        Assert.Equal("success", manifest["status"]!.GetValue<string>());
        var env = File.ReadAllText(Path.Combine(_job.JobDir, "01_raw", "env.txt")).Trim().Split('|');
        Assert.Equal(["1", "raw", "01_raw"], env[..3]);
        Assert.Equal(Path.Combine(_job.JobDir, ".waybill", "channels", "01_raw.jsonl"), env[3]);

        var log = _job.StageLog("01_raw");
        Assert.Contains("[stage.raw] [INFO] hello over the channel", log);
        Assert.Contains("[stage.raw] [DEBUG] a debug detail", log);
        Assert.Contains("[stage.raw] [WARNING] a logged warning, not recorded", log);
        Assert.Contains("[stage.raw] [INFO] retrying the download\n  Traceback (most recent call last):\n  TimeoutError: too slow\n", log);
        Assert.Contains("[stage.raw] [WARNING] disk nearly full", log);
        Assert.Contains("[stage.raw] [ERROR] decoder hiccup", log);
        Assert.Contains("  ValueError: frame 12 is damaged", log);
        // INFO and above reach the pipeline log and the console; DEBUG stays in stage.log.
        Assert.Contains("[stage.raw] [INFO] hello over the channel", _job.PipelineLog());
        Assert.DoesNotContain("a debug detail", _job.PipelineLog());
        Assert.Contains("hello over the channel", run.Stdout);

        // A log line at WARNING is a log line; a warning message is a recorded warning, at the time the stage sent.
        Assert.Equal(["disk nearly full"], _job.Warnings("01_raw"));
        Assert.Equal("2026-01-02T03:04:05.678+00:00", manifest["warnings"]![0]!["timestamp"]!.GetValue<string>());
        var error = manifest["errors"]![0]!;
        Assert.Equal("decoder hiccup", error["message"]!.GetValue<string>());
        Assert.Equal("ValueError", error["exception_type"]!.GetValue<string>());
        Assert.Equal("frame 12 is damaged", error["exception_message"]!.GetValue<string>());
        Assert.StartsWith("Traceback (most recent call last):", error["stack_trace"]!.GetValue<string>());

        var input = manifest["inputs"]!.AsArray().Single()!;
        Assert.Equal(_temp.Combine("input.txt"), input["path"]!.GetValue<string>());
        Assert.Equal("external", input["location"]!.GetValue<string>());
        Assert.Equal("text", input["type"]!.GetValue<string>());
        Assert.Equal("seed", input["name"]!.GetValue<string>());
        Assert.Equal("test", input["origin"]!.GetValue<string>());
        Assert.StartsWith("xxh128:", input["checksum"]!.GetValue<string>());

        var extra = manifest["outputs"]!.AsArray().Single(o => o!["path"]!.GetValue<string>() == "01_raw/extra.txt")!;
        Assert.Equal("extra", extra["name"]!.GetValue<string>());
        Assert.Equal("text", extra["type"]!.GetValue<string>());
        Assert.Equal(1, extra["lines"]!.GetValue<int>());
        Assert.Equal("en", extra["lang"]!.GetValue<string>());
        Assert.Equal(6, extra["size_bytes"]!.GetValue<long>());
        Assert.StartsWith("xxh128:", extra["checksum"]!.GetValue<string>());

        var intermediate = manifest["intermediate_files"]!.AsArray().Single()!;
        Assert.Equal("01_raw/.cache/tmp.bin", intermediate["path"]!.GetValue<string>());
        Assert.False(intermediate["retained"]!.GetValue<bool>());
        Assert.Equal("scratch space", intermediate["reason"]!.GetValue<string>());
        Assert.Equal(12, intermediate["frames"]!.GetValue<int>());

        Assert.Equal("""{"model":"small","beam":3,"lang":"en"}""", manifest["config"]!.ToJsonString());
        var resources = manifest["resources"]!;
        Assert.Equal(1.5, resources["model_load_seconds"]!.GetValue<double>());
        Assert.Equal("cpu", resources["device"]!.GetValue<string>());
        Assert.True(resources["warm"]!.GetValue<bool>());
        Assert.True(resources["gpu_used"]!.GetValue<bool>());
        Assert.Equal("1.2.3", manifest["tool_versions"]!["whisper"]!.GetValue<string>());
        Assert.Equal(42, manifest["summary"]!["segments"]!.GetValue<int>());
        _job.NoChannelsLeft();
    }

    [Fact]
    public async Task Finalize_decides_the_status_and_a_non_zero_exit_still_fails_the_stage()
    {
        var pipeline = """
            name: finalize
            stages:
              - id: 01_skip
                run: |
                  SEND
                  send '{"type":"finalize","status":"skipped","reason":"no speech in the audio"}'
              - id: 02_fail
                run: |
                  SEND
                  send '{"type":"finalize","status":"failed","reason":"the model refused the input"}'
              - id: 03_fail_plain
                run: |
                  SEND
                  send '{"type":"finalize","status":"FAILED"}'
              - id: 04_exit
                run: |
                  SEND
                  send '{"type":"finalize","status":"skipped","reason":"nothing to do"}'
                  echo 'then it broke' >&2
                  exit 3
              - id: 05_success
                run: |
                  SEND
                  send '{"type":"finalize","status":"success","reason":"all 3 files","summary":{"files":3}}'
            """.Replace("SEND", Send, StringComparison.Ordinal);

        var run = await _job.RunAsync(pipeline, "--keep-going");

        Assert.True(run.ExitCode == 1, run.All);
        JobAssert.ManifestsAreValid(_job.JobDir);
        var skipped = _job.Manifest("01_skip");
        Assert.Equal("skipped", skipped["status"]!.GetValue<string>());
        Assert.Equal("no speech in the audio", skipped["status_reason"]!.GetValue<string>());
        Assert.Empty(_job.Errors("01_skip"));

        var failed = _job.Manifest("02_fail");
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal("the model refused the input", failed["status_reason"]!.GetValue<string>());
        Assert.Equal(["the model refused the input"], _job.Errors("02_fail"));
        Assert.Contains("[stage.fail] [ERROR] the model refused the input", _job.StageLog("02_fail"));

        Assert.Equal("failed", _job.Manifest("03_fail_plain")["status"]!.GetValue<string>());
        Assert.Equal("the stage finalized as failed", _job.Manifest("03_fail_plain")["status_reason"]!.GetValue<string>());

        var exit = _job.Manifest("04_exit");
        Assert.Equal("failed", exit["status"]!.GetValue<string>());
        Assert.Equal("command exited with code 3: then it broke; it had finalized as skipped (nothing to do)",
            exit["status_reason"]!.GetValue<string>());

        var success = _job.Manifest("05_success");
        Assert.Equal("success", success["status"]!.GetValue<string>());
        Assert.Equal(3, success["summary"]!["files"]!.GetValue<int>());
        _job.NoChannelsLeft();
    }

    [Fact]
    public async Task Secrets_in_messages_are_masked_in_every_record()
    {
        const string secret = "s3cr3t-ch4nn3l-v4lue";
        var pipeline = """
            name: secrets
            secrets: [SERVICE_CREDENTIAL_X]
            stages:
              - id: 01_leak
                run: |
                  SEND
                  s="$SERVICE_CREDENTIAL_X"
                  send "{\"type\":\"log\",\"level\":\"info\",\"message\":\"calling with $s\"}"
                  send "{\"type\":\"warning\",\"message\":\"retry with $s\",\"exception\":\"Traceback (most recent call last):\\nKeyError: $s\"}"
                  send "{\"type\":\"error\",\"message\":\"denied $s\",\"exception_type\":\"Auth$s\",\"exception_message\":\"no $s\"}"
                  echo x > {out.o}
                  send "{\"type\":\"track_output\",\"path\":\"o.txt\",\"metadata\":{\"auth\":\"$s\",\"nested\":[\"a $s\"]}}"
                  send "{\"type\":\"track_intermediate\",\"path\":\"o.txt\",\"reason\":\"kept for $s\"}"
                  send "{\"type\":\"resources\",\"values\":{\"endpoint\":\"https://user:$s@example.org\"}}"
                  send "{\"type\":\"add_config\",\"key\":\"header\",\"value\":\"Bearer $s\"}"
                  send "{\"type\":\"tool_version\",\"tool\":\"api\",\"version\":\"v2 $s\"}"
                  send "{\"type\":\"finalize\",\"status\":\"success\",\"reason\":\"done $s\",\"summary\":{\"key\":\"$s\"}}"
                outputs: { o: o.txt }
            """.Replace("SEND", Send, StringComparison.Ordinal);
        _temp.Write("waybill.yaml", pipeline);

        var run = await CliProcess.RunAsync(_temp.Path, _job.Environment(new Dictionary<string, string> { ["SERVICE_CREDENTIAL_X"] = secret }),
            "run", "waybill.yaml", "--job-id", "j", "--debug");

        Assert.True(run.ExitCode == 0, run.All);
        var everything = run.All + string.Concat(Directory.GetFiles(_job.JobDir, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("o.txt", StringComparison.Ordinal)).Select(File.ReadAllText));
        Assert.DoesNotContain(secret, everything);
        Assert.Contains("[stage.leak] [INFO] calling with ***", _job.StageLog("01_leak"));
        var manifest = _job.Manifest("01_leak");
        Assert.Equal("retry with ***", manifest["warnings"]![0]!["message"]!.GetValue<string>());
        Assert.Equal("***", manifest["outputs"]![0]!["auth"]!.GetValue<string>());
        Assert.Equal("https://user:***@example.org", manifest["resources"]!["endpoint"]!.GetValue<string>());
        Assert.Equal("done ***", manifest["status_reason"]!.GetValue<string>());
        _job.NoChannelsLeft();
    }

    [Fact]
    public async Task Info_lines_reach_the_console_while_the_stage_still_runs()
    {
        // The stage waits for a file the test creates only once it has seen the stage's line on the console: were the
        // channel read only after the stage, the stage would give up waiting and fail.
        var pipeline = """
            name: live
            stages:
              - id: 01_wait
                run: |
                  SEND
                  send '{"type":"log","level":"info","message":"waiting for the go file"}'
                  i=0
                  while [ ! -e "$WAYBILL_JOB_DIR/../../go" ]; do
                    i=$((i + 1)); [ "$i" -gt 600 ] && { echo 'nobody said go' >&2; exit 1; }
                    sleep 0.05
                  done
                  send '{"type":"log","level":"info","message":"released"}'
            """.Replace("SEND", Send, StringComparison.Ordinal);
        _temp.Write("waybill.yaml", pipeline);

        using var process = CliProcess.Start(_temp.Path, _job.Environment(), "run", "waybill.yaml", "--job-id", "j");
        var stderr = process.StandardError.ReadToEndAsync();
        var seen = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            seen.AppendLine(line);
            if (line.Contains("waiting for the go file", StringComparison.Ordinal)) break;
        }
        _temp.Write("go", "");
        seen.Append(await process.StandardOutput.ReadToEndAsync());
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, seen + await stderr);
        Assert.Contains("released", seen.ToString());
        Assert.Equal("success", _job.Manifest("01_wait")["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stage_run_by_exec_stage_sends_over_its_channel_too()
    {
        var pipeline = """
            name: exec
            stages:
              - id: 01_one
                run: |
                  SEND
                  send "{\"type\":\"warning\",\"message\":\"run $WAYBILL_RUN_ID attempt\"}"
                  send '{"type":"resources","values":{"frames":25}}'
                  echo done > {out.o}
                outputs: { o: o.txt }
            """.Replace("SEND", Send, StringComparison.Ordinal);
        Assert.Equal(0, (await _job.RunAsync(pipeline)).ExitCode);

        var exec = await CliProcess.RunAsync(_temp.Path, _job.Environment(), "exec-stage", "j", "01_one");

        Assert.True(exec.ExitCode == 0, exec.All);
        var manifest = _job.Manifest("01_one");
        Assert.Equal(2, manifest["attempt"]!.GetValue<int>());
        Assert.Equal($"run {manifest["run_id"]!.GetValue<string>()} attempt", Assert.Single(_job.Warnings("01_one")));
        Assert.Equal(25, manifest["resources"]!["frames"]!.GetValue<int>());
        Assert.Contains("[stage.one] [WARNING] run", _job.PipelineLog());
        _job.NoChannelsLeft();
    }

    [Fact]
    public async Task A_channel_left_by_a_killed_run_is_removed_and_never_merged_into_the_next()
    {
        var pipeline = """
            name: killed
            stages:
              - id: 01_slow
                run: |
                  SEND
                  send "{\"type\":\"warning\",\"message\":\"from run $WAYBILL_RUN_ID\"}"
                  touch "$WAYBILL_JOB_DIR/../../started"
                  i=0
                  while [ ! -e "$WAYBILL_JOB_DIR/../../release" ]; do
                    i=$((i + 1)); [ "$i" -gt 600 ] && exit 1
                    sleep 0.05
                  done
            """.Replace("SEND", Send, StringComparison.Ordinal);
        _temp.Write("waybill.yaml", pipeline);
        var channel = Path.Combine(_job.JobDir, ".waybill", "channels", "01_slow.jsonl");
        using (var first = CliProcess.Start(_temp.Path, _job.Environment(), "run", "waybill.yaml", "--job-id", "j"))
        {
            for (var i = 0; i < 600 && !File.Exists(_temp.Combine("started")); i++) await Task.Delay(50);
            Assert.True(File.Exists(_temp.Combine("started")), "the stage did not start");
            first.Kill();
            await first.WaitForExitAsync();
        }
        Assert.True(File.Exists(channel), "the killed run should leave its channel behind");
        _temp.Write("release", "");

        var second = await CliProcess.RunAsync(_temp.Path, _job.Environment(), "run", "waybill.yaml", "--job-id", "j");

        Assert.True(second.ExitCode == 0, second.All);
        var manifest = _job.Manifest("01_slow");
        Assert.Equal($"from run {manifest["run_id"]!.GetValue<string>()}", Assert.Single(_job.Warnings("01_slow")));
        _job.NoChannelsLeft();
    }

    [Fact]
    public async Task A_stage_that_sends_nothing_records_as_before_and_leaves_no_channel()
    {
        var run = await _job.RunAsync("""
            name: quiet
            stages:
              - id: 01_quiet
                run: echo quiet > {out.o}
                outputs: { o: o.txt }
            """);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Empty(_job.Warnings("01_quiet"));
        Assert.DoesNotContain("channel", _job.StageLog("01_quiet"));
        _job.NoChannelsLeft();
    }
}
