using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Protocol;

/// <summary>
/// What a stage writes to its channel never fails the engine: each bad line adds one warning that names the stage, the
/// line and what is wrong, and every good line around it is still applied.
/// </summary>
public sealed class ChannelBadInputTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ProtocolJob _job;

    public ChannelBadInputTests() => _job = new ProtocolJob(_temp);

    public void Dispose() => _temp.Dispose();

    private const string Send = """send() { printf '%s\n' "$1" >> "$WAYBILL_STAGE_CHANNEL"; }""";

    [Fact]
    public async Task Each_bad_line_gets_one_warning_naming_stage_and_line_and_the_good_lines_are_kept()
    {
        var pipeline = """
            name: bad
            stages:
              - id: 01_bad
                run: |
                  SEND
                  send '{"type":"log","level":"info","message":"first good line"}'
                  send 'this is not json'
                  send '{"type":"teleport","to":"mars"}'
                  send '{"type":"warning"}'
                  send '{"type":"log","level":"info","message":5}'
                  send '{"type":"log","level":"loud","message":"x"}'
                  send '[1,2,3]'
                  send '{"message":"no type"}'
                  send '{"type":"resources","values":{"nested":{"a":1}}}'
                  send '{"type":"resources","values":{"wall_seconds":1}}'
                  send '{"type":"track_output","path":"/etc/hostname"}'
                  ln -s /etc lnk
                  send '{"type":"track_output","path":"lnk/hostname"}'
                  send '{"type":"track_output","path":"x.txt","metadata":{"checksum":"forged"}}'
                  send '{"type":"gpu","used":"yes"}'
                  send '{"type":"finalize","status":"done"}'
                  send '{"type":"warning","message":"a real warning"}'
                  { printf '{"type":"log","level":"info","message":"'; head -c 1100000 /dev/zero | tr '\0' a; printf '"}\n'; } >> "$WAYBILL_STAGE_CHANNEL"
                  send '{"type":"finalize","status":"success"}'
                  send '{"type":"log","level":"info","message":"after the end"}'
                  send '{"type":"log","level":"info","message":"from the future","v":2,"extra":{"x":1}}'
                  echo x > x.txt
            """.Replace("SEND", Send, StringComparison.Ordinal);

        var run = await _job.RunAsync(pipeline);

        Assert.True(run.ExitCode == 0, run.All);
        JobAssert.ManifestsAreValid(_job.JobDir);
        var manifest = _job.Manifest("01_bad");
        Assert.Equal("success", manifest["status"]!.GetValue<string>());
        var warnings = _job.Warnings("01_bad");
        string For(int line)
        {
            var found = warnings.Where(w => w.StartsWith($"stage channel of 01_bad, line {line}: ", StringComparison.Ordinal)).ToList();
            Assert.True(found.Count == 1, $"line {line}:\n{string.Join('\n', warnings)}");
            return found[0];
        }
        Assert.Contains("not JSON", For(2));
        Assert.Contains("'this is not json'", For(2));
        Assert.Contains("unknown message type 'teleport'", For(3));
        Assert.Contains("warning: no \"message\" field; not applied", For(4));
        Assert.Contains("log: \"message\" is a number 5, not a string", For(5));
        Assert.Contains("\"level\" is 'loud'", For(6));
        Assert.Contains("not a JSON object but an array", For(7));
        Assert.Contains("no \"type\" field", For(8));
        Assert.Contains("resource 'nested' is an object", For(9));
        Assert.Contains("resource 'wall_seconds' is a figure the engine measures itself", For(10));
        Assert.Contains("output /etc/hostname is outside the job folder", For(11));
        Assert.Contains("output lnk/hostname leads through a symbolic link to /etc", For(12));
        Assert.Contains("\"metadata\" names 'checksum', which the engine records itself", For(13));
        Assert.Contains("gpu: \"used\" is a string \"yes\", not true or false", For(14));
        Assert.Contains("\"status\" is 'done', not success, failed or skipped", For(15));
        Assert.Contains("longer than 1048576 bytes (1100042 bytes): dropped", For(17));
        Assert.Contains("log message after finalize at line 18 (still applied)", For(19));
        Assert.Single(warnings, w => w.Contains("line 20: log message after finalize at line 18 (still applied)", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Contains("line 20: written for protocol version 2, newer than this engine's 1", StringComparison.Ordinal));
        Assert.Contains("a real warning", warnings);
        Assert.Equal(19, warnings.Count);

        // The good lines around the bad ones are all there; the rejected ones changed nothing.
        var log = _job.StageLog("01_bad");
        Assert.Contains("[stage.bad] [INFO] first good line", log);
        Assert.Contains("[stage.bad] [INFO] after the end", log);
        Assert.Contains("[stage.bad] [INFO] from the future", log);
        Assert.Contains("[stage.bad] [WARNING] stage channel of 01_bad, line 2: not JSON", log);
        Assert.Contains("[stage.bad] [WARNING] stage channel of 01_bad, line 2: not JSON", _job.PipelineLog());
        Assert.DoesNotContain("aaaaaaaaaa", log);
        Assert.Empty(manifest["outputs"]!.AsArray());
        Assert.Null(manifest["resources"]!["nested"]);
        Assert.False(manifest["resources"]!["gpu_used"]!.GetValue<bool>());
        _job.NoChannelsLeft();
    }

    [Fact]
    public async Task A_stage_killed_mid_write_leaves_a_cut_off_line_that_is_named_and_the_lines_before_it_kept()
    {
        var pipeline = """
            name: killed
            stages:
              - id: 01_cut
                run: |
                  SEND
                  send '{"type":"warning","message":"written whole"}'
                  send '{"type":"resources","values":{"frames":7}}'
                  printf '{"type":"warning","message":"never fin' >> "$WAYBILL_STAGE_CHANNEL"
                  kill -9 $$
            """.Replace("SEND", Send, StringComparison.Ordinal);

        var run = await _job.RunAsync(pipeline);

        Assert.True(run.ExitCode == 1, run.All);
        JobAssert.ManifestsAreValid(_job.JobDir);
        var manifest = _job.Manifest("01_cut");
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        // Killed by the signal (or, measured through GNU time, its exit code 128 + 9).
        Assert.Matches("^command (was killed by signal 9|exited with code 137)$", manifest["status_reason"]!.GetValue<string>());
        var warnings = _job.Warnings("01_cut");
        Assert.Equal(2, warnings.Count);
        Assert.Equal("written whole", warnings[0]);
        Assert.Equal("stage channel of 01_cut, line 3: cut off (the stage was killed mid-write?): no newline after "
            + "'{\"type\":\"warning\",\"message\":\"never fin'", warnings[1]);
        Assert.Equal(7, manifest["resources"]!["frames"]!.GetValue<int>());
        _job.NoChannelsLeft();
    }

    [Fact]
    public async Task Warnings_about_bad_lines_are_capped_and_the_rest_counted()
    {
        var run = await _job.RunAsync("""
            name: flood
            stages:
              - id: 01_flood
                run: |
                  for i in $(seq 1 500); do echo "garbage $i"; done >> "$WAYBILL_STAGE_CHANNEL"
                  printf '%s\n' '{"type":"warning","message":"still heard"}' >> "$WAYBILL_STAGE_CHANNEL"
            """);

        Assert.True(run.ExitCode == 0, run.All);
        var warnings = _job.Warnings("01_flood");
        Assert.Equal(22, warnings.Count);
        Assert.Equal(20, warnings.Count(w => w.Contains("not JSON", StringComparison.Ordinal)));
        Assert.Contains("stage channel of 01_flood, line 20: not JSON", warnings[19]);
        Assert.Contains("stage channel of 01_flood: 480 more bad lines not listed (the first 20 are)", warnings);
        Assert.Contains("still heard", warnings);
    }

    [Fact]
    public async Task Messages_past_the_output_budget_are_counted_and_dropped_but_a_finalize_still_counts()
    {
        var run = await _job.RunAsync("""
            name: budget
            stages:
              - id: 01_chatty
                env: { WAYBILL_OUTPUT_LIMIT: 2K }
                run: |
                  for i in $(seq 1 200); do
                    printf '{"type":"log","level":"debug","message":"message number %d"}\n' "$i"
                  done >> "$WAYBILL_STAGE_CHANNEL"
                  printf '%s\n' '{"type":"finalize","status":"skipped","reason":"chatty but done"}' >> "$WAYBILL_STAGE_CHANNEL"
            """);

        Assert.True(run.ExitCode == 0, run.All);
        var manifest = _job.Manifest("01_chatty");
        Assert.Equal("skipped", manifest["status"]!.GetValue<string>());
        Assert.Equal("chatty but done", manifest["status_reason"]!.GetValue<string>());
        var log = _job.StageLog("01_chatty");
        Assert.Contains("message number 1\n", log);
        Assert.DoesNotContain("message number 200", log);
        var dropped = Assert.Single(_job.Warnings("01_chatty"));
        Assert.Matches(@"^stage channel of 01_chatty: \d+ messages \(\d+ bytes\) past the first \d+ were dropped", dropped);
        Assert.Contains("WAYBILL_OUTPUT_LIMIT", dropped);
    }

    [Fact]
    public async Task A_channel_that_is_not_a_regular_file_is_refused_without_blocking_the_engine()
    {
        // A FIFO opened for reading would block until a writer comes: the engine never opens one.
        var run = await _job.RunAsync("""
            name: fifo
            stages:
              - id: 01_fifo
                run: mkfifo "$WAYBILL_STAGE_CHANNEL"
            """);

        Assert.True(run.ExitCode == 0, run.All);
        var warning = Assert.Single(_job.Warnings("01_fifo"));
        Assert.Equal("stage channel of 01_fifo: is not a regular file, not the file the engine reads: not read "
            + "(writers open it with O_APPEND|O_CREAT)", warning);
        _job.NoChannelsLeft();
    }
}
