using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Jobs;

/// <summary>
/// A reader beside a live run (<c>waybill status</c>) takes no lock: a compaction (manifest.json written whole, then the
/// journal emptied) may fall between its read of manifest.json and its read of the journal. It must not see stages go back.
/// </summary>
public sealed class JobJournalReadTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly JobLayout _layout;
    private readonly JobManifest _job;

    public JobJournalReadTests()
    {
        _layout = new JobLayout(_temp.Combine("out", "j"));
        Directory.CreateDirectory(_layout.StateDir);
        _job = new JobManifest
        {
            JobId = "j", RunId = "run-1", Pipeline = "p", Host = "h", WaybillVersion = "1",
            Stages = [new JobStageSummary { StageId = "01_a", Stage = "a" }, new JobStageSummary { StageId = "02_b", Stage = "b" }],
        };
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>What the run's journal does: the stage's line appended, then (when due) manifest.json whole and the journal emptied.</summary>
    private void Compact(JobJournalFile journal)
    {
        ManifestJson.Write(_layout.JobManifestPath, _job);
        journal.Clear();
    }

    private void Finish(JobJournalFile journal, string stageId)
    {
        var stage = _job.Stages.Single(s => s.StageId == stageId);
        stage.Status = "success";
        journal.Append(_job.RunId, stage);
    }

    [Fact]
    public void A_compaction_between_reading_the_manifest_and_the_journal_loses_no_stage_outcome()
    {
        ManifestJson.Write(_layout.JobManifestPath, _job);
        using var journal = JobJournalFile.Start(_layout);
        Finish(journal, "01_a");
        var compactions = 0;

        // The reader has read manifest.json (01_a pending): the run compacts, so the journal it reads next is empty.
        var read = JobJournalFile.ReadJob(_layout, () =>
        {
            if (compactions++ == 0) Compact(journal);
        });

        Assert.Equal(["success", "pending"], read.Stages.Select(s => s.Status));
        Assert.Equal(2, compactions); // read again once, and the second read stood
    }

    [Fact]
    public void A_run_that_compacts_at_every_read_gets_an_answer_after_a_bounded_number_of_reads()
    {
        ManifestJson.Write(_layout.JobManifestPath, _job);
        using var journal = JobJournalFile.Start(_layout);
        Finish(journal, "01_a");
        var reads = 0;

        var read = JobJournalFile.ReadJob(_layout, () =>
        {
            reads++;
            Compact(journal);
        });

        Assert.Equal(JobJournalFile.ReadAttempts, reads);
        Assert.Equal("success", read.Stages[0].Status);
    }

    [Fact]
    public void Without_a_compaction_the_journal_is_read_once_over_the_manifest()
    {
        ManifestJson.Write(_layout.JobManifestPath, _job);
        using var journal = JobJournalFile.Start(_layout);
        Finish(journal, "01_a");
        _job.Stages[0].Status = "pending"; // manifest.json on disk still says so; the journal line says success
        var reads = 0;

        var read = JobJournalFile.ReadJob(_layout, () => reads++);

        Assert.Equal(1, reads);
        Assert.Equal(["success", "pending"], read.Stages.Select(s => s.Status));
    }
}
