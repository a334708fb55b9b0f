using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Waybill.Catalog;
using Waybill.Core.Execution;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Catalog;

/// <summary>
/// When a run's stage runs reach the catalog: a second after they finish (the timer's tick), at once when a ceiling of
/// them waits, and the rest in the last transaction, started when the stages have ended and waited for at the job's end.
/// </summary>
public sealed class CatalogObserverTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    private readonly CatalogObserver _observer;

    public CatalogObserverTests()
    {
        _observer = new CatalogObserver(CatalogTarget.Parse(_temp.Combine("catalog.db")), _time);
        var pipeline = new PipelineDefinition { Name = "p", BaseDirectory = _temp.Path, Stages = [] };
        _observer.JobStarted(new RunStarted(pipeline, new JobLayout(_temp.Combine("out", "j")), "run-1", _time.GetUtcNow(),
            NullLogger.Instance, Redactor.None));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Finished_stage_runs_are_written_a_second_later_and_the_rest_when_the_stages_end()
    {
        // Nothing is opened while the run starts: the first stage run that ends opens the catalog.
        Assert.Null(_observer.Writing);
        Finish(3);
        await _observer.Writing!;
        Assert.True(File.Exists(_temp.Combine("catalog.db")));
        Assert.Equal(0, Count("SELECT COUNT(*) FROM stage_runs"));
        _time.Advance(CatalogObserver.WriteEvery - TimeSpan.FromMilliseconds(1));
        await _observer.Writing!;
        Assert.Equal(0, Count("SELECT COUNT(*) FROM stage_runs"));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await _observer.Writing!;
        Assert.Equal(3, Count("SELECT COUNT(*) FROM stage_runs"));
        Assert.Equal(1, Count("SELECT COUNT(*) FROM jobs WHERE status = 'running'"));

        // The timer is armed again by the next stage run only; the last two go with the job as it ended.
        Finish(2, from: 3);
        _observer.StagesEnded(StageStatus.Success, _time.GetUtcNow());
        // Written without the job's end waiting for it, nor the timer.
        Assert.True(SpinWait.SpinUntil(() => Count("SELECT COUNT(*) FROM jobs WHERE status = 'success'") == 1, TimeSpan.FromSeconds(30)));
        _time.Advance(CatalogObserver.WriteEvery);
        await _observer.JobFinishedAsync(StageStatus.Success, _time.GetUtcNow());
        Assert.Equal(5, Count("SELECT COUNT(*) FROM stage_runs"));
        Assert.Equal(5, Count("SELECT stage_runs FROM jobs WHERE status = 'success'"));
        // Then, the end no longer waiting, SQLite's log is copied into the catalog file and emptied.
        var log = _temp.Combine("catalog.db-wal");
        Assert.True(SpinWait.SpinUntil(() => !File.Exists(log) || new FileInfo(log).Length == 0, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_ceiling_of_waiting_stage_runs_is_written_at_once()
    {
        Finish(CatalogObserver.BatchCeiling - 1);
        await _observer.Writing!;
        Assert.Equal(0, Count("SELECT COUNT(*) FROM stage_runs"));

        Finish(1, from: CatalogObserver.BatchCeiling - 1);
        await _observer.Writing!;
        Assert.Equal(CatalogObserver.BatchCeiling, Count("SELECT COUNT(*) FROM stage_runs"));
        await _observer.JobFinishedAsync(StageStatus.Success, _time.GetUtcNow());
        Assert.Equal(CatalogObserver.BatchCeiling, Count("SELECT stage_runs FROM jobs"));
    }

    [Fact]
    public async Task A_run_in_which_no_stage_run_ended_still_indexes_its_job()
    {
        Assert.Null(_observer.Writing);
        await _observer.JobFinishedAsync(StageStatus.Failed, _time.GetUtcNow());
        Assert.Equal(1, Count("SELECT COUNT(*) FROM jobs WHERE status = 'failed' AND stage_runs = 0"));
    }

    private void Finish(int count, int from = 0)
    {
        for (var i = from; i < from + count; i++)
        {
            var id = $"{i:D4}_s";
            var manifest = new StageManifest
            {
                Stage = "s", StageId = id, JobId = "j", RunId = "run-1", Kind = "command", Host = "h", WaybillVersion = "1",
                Status = "success", StartedUtc = _time.GetUtcNow(), FinishedUtc = _time.GetUtcNow(),
            };
            _observer.StageFinished(null!, new StageOutcome(id, StageStatus.Success, null, 0, manifest), _time.GetUtcNow());
        }
    }

    private long Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_temp.Combine("catalog.db")};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
