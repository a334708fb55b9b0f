using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Xunit;

namespace Waybill.Core.Tests.Execution;

public sealed class ProducerRecordsTests
{
    private static StageManifest Producer(string status, string reason, params string[] outputs) => new()
    {
        Stage = "source_separation", StageId = "04_source_separation", JobId = "job", RunId = "run-1", Kind = "builtin", Host = "host",
        WaybillVersion = "0", Status = status, StatusReason = reason,
        Outputs = [.. outputs.Select(o => new FileRecord { Type = "audio", Path = o, Location = "job" })],
    };

    [Fact]
    public void An_up_to_date_producer_that_was_skipped_when_it_ran_leaves_its_outputs_absent()
    {
        var view = UpToDateRecord.View(Producer("skipped", "disabled"), "run-2", ["up to date"]);

        Assert.Equal("04_source_separation was skipped (disabled)", ProducerRecords.Absence(view, () => "04_source_separation/vocals.wav"));
    }

    [Fact]
    public void An_up_to_date_producer_that_succeeded_claims_its_outputs()
    {
        var view = UpToDateRecord.View(Producer("success", "", "04_source_separation/vocals.wav"), "run-2", ["up to date"]);

        Assert.Null(ProducerRecords.Absence(view, () => "04_source_separation/vocals.wav"));
    }
}
