using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Protocol;

/// <summary>
/// The <c>progress</c> message is display-only: a bad one is a warning and the run goes on, a flood of good ones is neither
/// logged nor recorded nor counted against the channel's budget, and <c>waybill stage progress</c> refuses bad counts.
/// </summary>
public sealed class ProgressMessageTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ProtocolJob _job;

    public ProgressMessageTests() => _job = new ProtocolJob(_temp);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Bad_progress_messages_are_warnings_and_the_stage_still_succeeds()
    {
        var run = await _job.RunAsync("""
            name: bad
            stages:
              - id: 01_bad
                run: |
                  send() { printf '%s\n' "$1" >> "$WAYBILL_STAGE_CHANNEL"; }
                  send '{"type":"progress","done":3,"total":8,"unit":"segments"}'
                  send '{"type":"progress","done":3,"total":0}'
                  send '{"type":"progress","done":-1,"total":8}'
                  send '{"type":"progress","done":1.5,"total":8}'
                  send '{"type":"progress","done":"3","total":8}'
                  send '{"type":"progress","total":8}'
                  send '{"type":"progress","done":3,"total":8,"unit":""}'
                  send '{"type":"progress","done":3,"total":8,"unit":"seg\u001b[2Jments"}'
                  send '{"type":"progress","done":3,"total":8,"unit":"a unit name far longer than the display has room"}'
                  send '{"type":"progress","done":30,"total":8.0}'
                  send '{"type":"warning","message":"still heard"}'
            """);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal("success", _job.Manifest("01_bad")["status"]!.GetValue<string>());
        var warnings = _job.Warnings("01_bad");
        Assert.Equal(
        [
            "stage channel of 01_bad, line 2: progress: \"total\" is 0: a total is 1 or more; not applied",
            "stage channel of 01_bad, line 3: progress: \"done\" is a number -1, not a whole number zero or more; not applied",
            "stage channel of 01_bad, line 4: progress: \"done\" is a number 1.5, not a whole number zero or more; not applied",
            "stage channel of 01_bad, line 5: progress: \"done\" is a string \"3\", not a whole number zero or more; not applied",
            "stage channel of 01_bad, line 6: progress: no \"done\" field; not applied",
            "stage channel of 01_bad, line 7: progress: \"unit\": empty; leave it out for items, or name what is counted "
                + "(segments, frames); not applied",
            "stage channel of 01_bad, line 8: progress: \"unit\": 'seg\\x1B[2Jments' has control characters; not applied",
            "stage channel of 01_bad, line 9: progress: \"unit\": 48 characters, more than the 32 a unit may have; not applied",
            "still heard",
        ], warnings);
        _job.NoChannelsLeft();
    }

    [Fact]
    public async Task A_flood_of_progress_messages_is_not_logged_and_takes_no_share_of_the_channel_budget()
    {
        // 200,000 progress lines (about 10 MiB) against a 2 KiB budget: the messages after them are still applied.
        var run = await _job.RunAsync("""
            name: flood
            stages:
              - id: 01_flood
                env: { WAYBILL_OUTPUT_LIMIT: 2K }
                run: |
                  seq 1 200000 | sed 's/.*/{"type":"progress","done":&,"total":200000,"unit":"frames"}/' >> "$WAYBILL_STAGE_CHANNEL"
                  printf '%s\n' '{"type":"warning","message":"after the flood"}' >> "$WAYBILL_STAGE_CHANNEL"
                  printf '%s\n' '{"type":"log","level":"info","message":"logged after the flood"}' >> "$WAYBILL_STAGE_CHANNEL"
            """);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(["after the flood"], _job.Warnings("01_flood"));
        var log = _job.StageLog("01_flood");
        Assert.Contains("logged after the flood", log);
        // The stage's script is logged, with its "done":& but no count.
        Assert.DoesNotContain("\"done\":1", log);
        Assert.DoesNotContain("\"done\":1", _job.PipelineLog());
        Assert.DoesNotContain("\"done\":1", run.All);
    }

    [Fact]
    public async Task The_shell_verb_sends_the_count_and_refuses_what_is_not_one()
    {
        var channel = _temp.Combine("channel.jsonl");
        var inside = new Dictionary<string, string> { ["WAYBILL_STAGE_CHANNEL"] = channel };

        Assert.Equal(0, (await CliProcess.RunAsync(_temp.Path, inside, "stage", "progress", "3", "8", "segments")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(_temp.Path, inside, "stage", "progress", "0", "5")).ExitCode);
        var lines = File.ReadAllLines(channel);
        Assert.Equal(2, lines.Length);
        Assert.Matches("""^\{"v":1,"t":"[^"]+","type":"progress","done":3,"total":8,"unit":"segments"\}$""", lines[0]);
        Assert.Matches("""^\{"v":1,"t":"[^"]+","type":"progress","done":0,"total":5\}$""", lines[1]);

        foreach (var (args, said) in new[]
        {
            (new[] { "three", "8" }, "done 'three' is not a whole number 0 or more"),
            (["-1", "8"], "done '-1' is not a whole number 0 or more"),
            (["3", "0"], "total '0' is not a whole number 1 or more"),
            (["3", "8.5"], "total '8.5' is not a whole number 1 or more"),
        })
        {
            var refused = await CliProcess.RunAsync(_temp.Path, inside, ["stage", "progress", .. args]);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"waybill stage progress: {said}", refused.Stderr);
            Assert.Contains("e.g. waybill stage progress 3 8 segments", refused.Stderr);
        }
        Assert.Equal(2, File.ReadAllLines(channel).Length);
    }
}
