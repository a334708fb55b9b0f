using Waybill.Cli.Output;
using Waybill.Core.Caching;
using Waybill.Core.Manifests;
using Xunit;

namespace Waybill.Cli.Tests.Output;

/// <summary>What <c>--explain</c> keeps of each decision until the run ends.</summary>
public sealed class DecisionLogTests
{
    [Fact]
    public void A_decision_is_kept_with_its_verdict_and_reasons_but_not_the_previous_manifest_it_read()
    {
        var log = new DecisionLog();
        var previous = new StageManifest
        {
            Stage = "noop", StageId = "02_noop[item-7]", JobId = "j", RunId = "r1", Kind = "command", Host = "h", WaybillVersion = "0.1.0",
        };
        log.Report(("02_noop[item-7]", new StageDecision(false, ["up to date: unchanged since run r1"], previous) { PreviousChecksum = "xxh128:1" }));
        log.Report(("03_gather", StageDecision.RunBecause(previous, "input all changed")));

        var upToDate = log.For("02_noop[item-7]")!;
        Assert.False(upToDate.Run);
        Assert.Equal(["up to date: unchanged since run r1"], upToDate.Reasons);
        Assert.Null(upToDate.Previous);
        var ran = log.For("03_gather")!;
        Assert.True(ran.Run);
        Assert.Equal(["input all changed"], ran.Reasons);
        Assert.Null(ran.Previous);
        Assert.Null(log.For("01_list"));
    }
}
