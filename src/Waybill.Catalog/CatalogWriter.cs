using System.Data.Common;

namespace Waybill.Catalog;

/// <summary>Writes a job and its stage runs in one transaction: a reader sees the job before or after, never half of it.</summary>
internal static class CatalogWriter
{
    private static readonly string[] StageColumns =
    [
        "job_dir", "job_id", "stage_id", "stage", "stage_number", "item_key", "run_id", "attempt", "status", "status_reason", "kind",
        "started", "finished", "duration_seconds", "cpu_seconds", "peak_rss_mb", "read_bytes", "write_bytes", "cost_total", "currency",
        "host", "exit_code", "error", "error_count", "warning_count", "manifest_path", "shared", "reused_from", "code_cpu_seconds",
        "indexed_at",
    ];

    private static readonly string[] JobColumns =
    [
        "job_dir", "job_id", "pipeline", "run_id", "status", "started", "finished", "duration_seconds", "host", "waybill_version",
        "gone", "indexed_at",
    ];

    private static readonly string[] ProblemColumns = ["job_dir", "stage_id", "severity", "position", "at", "message", "exception_type"];

    /// <summary>
    /// Its commands are prepared once and reused for every job of a rebuild, or for every transaction of a run
    /// (<see cref="Begin"/>): preparing the seven of them again for each batch of a 500-stage run cost more than writing it.
    /// A run prepares them as it opens the catalog, outside any transaction (<paramref name="transaction"/> null).
    /// </summary>
    public sealed class Batch : IDisposable
    {
        private readonly RowStatement _job;
        private readonly RowStatement _stage;
        private readonly DbCommand _anyProblems;
        private readonly RowStatement _clearProblems;
        private readonly RowStatement _problem;
        private readonly DbCommand _sums;
        private readonly RowStatement _totals;
        // Per job folder: whether the catalog may hold problems of it (asked once per transaction, as another process may have
        // written some since; true once this transaction wrote one).
        private readonly Dictionary<string, bool> _mayHoldProblems = new(StringComparer.Ordinal);
        private DateTimeOffset _now;

        public Batch(DbConnection connection, DbTransaction? transaction, DateTimeOffset now)
        {
            try
            {
                _job = RowStatement.Prepare(connection, transaction, Upsert("jobs", JobColumns, "job_dir"), Names(JobColumns));
                _stage = RowStatement.Prepare(connection, transaction, Upsert("stage_runs", StageColumns, "job_dir, stage_id"), Names(StageColumns));
                // Problems an earlier run left for a stage run are replaced; a job with none (every first run) skips the delete.
                _anyProblems = SqlParameters.Command(connection, transaction,
                    "SELECT COUNT(*) FROM (SELECT 1 FROM problems WHERE job_dir = @job_dir LIMIT 1) p", "@job_dir");
                _clearProblems = RowStatement.Prepare(connection, transaction,
                    "DELETE FROM problems WHERE job_dir = @job_dir AND stage_id = @stage_id", ["@job_dir", "@stage_id"]);
                _problem = RowStatement.Prepare(connection, transaction,
                    $"INSERT INTO problems ({string.Join(", ", ProblemColumns)}) VALUES ({string.Join(", ", Names(ProblemColumns))})",
                    Names(ProblemColumns));
                // The job's figures are those of all its stage runs in the catalog, also those an earlier run indexed (--until).
                // One pass over the job's rows by its key: a "status = 'failed'" condition of its own let SQLite pick the
                // status index instead, which read every failed run of every job per job (a 100,000-job catalog took minutes).
                _sums = SqlParameters.Command(connection, transaction, """
                    SELECT COUNT(*), SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), SUM(cpu_seconds), SUM(cost_total), MIN(currency)
                    FROM stage_runs WHERE job_dir = @job_dir
                    """, "@job_dir");
                _totals = RowStatement.Prepare(connection, transaction, """
                    UPDATE jobs SET stage_runs = @runs, failed_stage_runs = @failed, cpu_seconds = @cpu, cost_total = @cost, currency = @currency
                    WHERE job_dir = @job_dir
                    """, ["@runs", "@failed", "@cpu", "@cost", "@currency", "@job_dir"]);
                // SQLite's own statements are prepared above; these two through Microsoft.Data.Sqlite would be at their first use.
                if (connection is Microsoft.Data.Sqlite.SqliteConnection)
                {
                    _anyProblems.Prepare();
                    _sums.Prepare();
                }
                Begin(transaction, now);
            }
            catch
            {
                // SQLite's own statements are not the connection's to close: those made before the failure go now.
                Dispose();
                throw;
            }
        }

        /// <summary>Writes what follows in <paramref name="transaction"/>, its rows stamped <paramref name="now"/>.</summary>
        public void Begin(DbTransaction? transaction, DateTimeOffset now)
        {
            _now = now;
            _mayHoldProblems.Clear();
            _anyProblems.Transaction = transaction;
            _sums.Transaction = transaction;
            foreach (var statement in (RowStatement[])[_job, _stage, _clearProblems, _problem, _totals]) statement.Enlist(transaction);
        }

        public void Write(JobRow job, IReadOnlyList<StageRunRow> stages, bool totals = true)
        {
            var clear = MayHoldProblems(job.JobDir); // asked before this batch writes any

            _job.Add(job.JobDir).Add(job.JobId).Add(job.Pipeline).Add(job.RunId).Add(job.Status).Add(job.Started).Add(job.Finished)
                .Add(job.DurationSeconds).Add(job.Host).Add(job.WaybillVersion).Add(0L).Add(_now).Execute();
            foreach (var s in stages)
            {
                _stage.Add(job.JobDir).Add(job.JobId).Add(s.StageId).Add(s.Stage).Add(s.StageNumber).Add(s.ItemKey).Add(s.RunId).Add(s.Attempt)
                    .Add(s.Status).Add(s.StatusReason).Add(s.Kind).Add(s.Started).Add(s.Finished).Add(s.DurationSeconds).Add(s.CpuSeconds)
                    .Add(s.PeakRssMb).Add(s.ReadBytes).Add(s.WriteBytes).Add(s.CostTotal).Add(s.Currency).Add(s.Host).Add(s.ExitCode)
                    .Add(s.Errors.Count > 0 ? s.Errors[0].Message : null).Add(s.Errors.Count).Add(s.Warnings.Count).Add(s.ManifestPath)
                    .Add(s.Shared).Add(s.ReusedFrom).Add(s.CodeCpuSeconds).Add(_now).Execute();
            }
            foreach (var s in stages)
            {
                if (clear) _clearProblems.Add(job.JobDir).Add(s.StageId).Execute();
                Problems(job.JobDir, s.StageId, "error", s.Errors);
                Problems(job.JobDir, s.StageId, "warning", s.Warnings);
                // A later batch, or the same job twice in a rebuild (`--out a --out a`), replaces these.
                if (s.Errors.Count + s.Warnings.Count > 0) _mayHoldProblems[job.JobDir] = true;
            }
            if (!totals) return;
            SqlParameters.Set(_sums, "@job_dir", job.JobDir);
            using (var sums = _sums.ExecuteReader())
            {
                sums.Read();
                _totals.Add(sums.GetInt64(0)).Add(ValueOrNull<long>(sums, 1)).Add(ValueOrNull<double>(sums, 2)).Add(ValueOrNull<double>(sums, 3))
                    .Add(sums.IsDBNull(4) ? null : sums.GetString(4));
            }
            _totals.Add(job.JobDir).Execute();
        }

        public void Dispose()
        {
            // Also from the constructor, after a failure: those not made yet are null.
            foreach (var statement in (IDisposable?[])[_job, _stage, _anyProblems, _clearProblems, _problem, _sums, _totals])
                statement?.Dispose();
        }

        private static T? ValueOrNull<T>(DbDataReader reader, int column) where T : struct =>
            reader.IsDBNull(column) ? null : reader.GetFieldValue<T>(column);

        private bool MayHoldProblems(string jobDir)
        {
            if (_mayHoldProblems.TryGetValue(jobDir, out var had)) return had;
            SqlParameters.Set(_anyProblems, "@job_dir", jobDir);
            had = Convert.ToInt64(_anyProblems.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
            _mayHoldProblems[jobDir] = had;
            return had;
        }

        private void Problems(string jobDir, string stageId, string severity, IReadOnlyList<ProblemRow> problems)
        {
            for (var i = 0; i < problems.Count; i++)
            {
                var problem = problems[i];
                _problem.Add(jobDir).Add(stageId).Add(severity).Add(i).Add(problem.At).Add(problem.Message).Add(problem.ExceptionType).Execute();
            }
        }
    }

    /// <summary>Marks jobs whose folders are gone: kept in the catalog (their history still counts), flagged, never an error.</summary>
    public static int MarkGone(DbConnection connection, IEnumerable<string> jobDirs)
    {
        using var transaction = connection.BeginTransaction();
        using var command = SqlParameters.Command(connection, transaction, "UPDATE jobs SET gone = 1 WHERE job_dir = @job_dir", "@job_dir");
        var count = 0;
        foreach (var dir in jobDirs)
        {
            SqlParameters.Set(command, "@job_dir", dir);
            count += command.ExecuteNonQuery();
        }
        transaction.Commit();
        return count;
    }

    private static string[] Names(string[] columns) => [.. columns.Select(c => "@" + c)];

    private static string Upsert(string table, string[] columns, string key)
    {
        var keys = key.Split(", ");
        var updates = columns.Where(c => !keys.Contains(c)).Select(c => $"{c} = excluded.{c}");
        return $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", Names(columns))}) "
            + $"ON CONFLICT ({key}) DO UPDATE SET {string.Join(", ", updates)}";
    }
}
