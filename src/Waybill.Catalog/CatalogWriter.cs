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
    /// </summary>
    public sealed class Batch : IDisposable
    {
        private readonly DbCommand _job;
        private readonly DbCommand _stage;
        private readonly DbCommand _anyProblems;
        private readonly DbCommand _clearProblems;
        private readonly DbCommand _problem;
        private readonly DbCommand _sums;
        private readonly DbCommand _totals;
        // Per job folder: whether the catalog may hold problems of it (asked once per transaction, as another process may have
        // written some since; true once this transaction wrote one).
        private readonly Dictionary<string, bool> _mayHoldProblems = new(StringComparer.Ordinal);
        private string _now = "";

        public Batch(DbConnection connection, DbTransaction transaction, DateTimeOffset now)
        {
            _job = SqlParameters.Command(connection, transaction, Upsert("jobs", JobColumns, "job_dir"), Names(JobColumns));
            _stage = SqlParameters.Command(connection, transaction, Upsert("stage_runs", StageColumns, "job_dir, stage_id"), Names(StageColumns));
            // Problems an earlier run left for a stage run are replaced; a job with none (every first run) skips the delete.
            _anyProblems = SqlParameters.Command(connection, transaction,
                "SELECT COUNT(*) FROM (SELECT 1 FROM problems WHERE job_dir = @job_dir LIMIT 1) p", "@job_dir");
            _clearProblems = SqlParameters.Command(connection, transaction,
                "DELETE FROM problems WHERE job_dir = @job_dir AND stage_id = @stage_id", "@job_dir", "@stage_id");
            _problem = SqlParameters.Command(connection, transaction,
                $"INSERT INTO problems ({string.Join(", ", ProblemColumns)}) VALUES ({string.Join(", ", Names(ProblemColumns))})",
                Names(ProblemColumns));
            // The job's figures are those of all its stage runs in the catalog, also those an earlier run indexed (--until).
            // One pass over the job's rows by its key: a "status = 'failed'" condition of its own let SQLite pick the
            // status index instead, which read every failed run of every job per job (a 100,000-job catalog took minutes).
            _sums = SqlParameters.Command(connection, transaction, """
                SELECT COUNT(*), SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), SUM(cpu_seconds), SUM(cost_total), MIN(currency)
                FROM stage_runs WHERE job_dir = @job_dir
                """, "@job_dir");
            _totals = SqlParameters.Command(connection, transaction, """
                UPDATE jobs SET stage_runs = @runs, failed_stage_runs = @failed, cpu_seconds = @cpu, cost_total = @cost, currency = @currency
                WHERE job_dir = @job_dir
                """, "@runs", "@failed", "@cpu", "@cost", "@currency", "@job_dir");
            Begin(transaction, now);
        }

        /// <summary>Writes what follows in <paramref name="transaction"/>, its rows stamped <paramref name="now"/>.</summary>
        public void Begin(DbTransaction transaction, DateTimeOffset now)
        {
            _now = SqlParameters.Time(now);
            _mayHoldProblems.Clear();
            foreach (var command in (DbCommand[])[_job, _stage, _anyProblems, _clearProblems, _problem, _sums, _totals])
                command.Transaction = transaction;
        }

        public void Write(JobRow job, IReadOnlyList<StageRunRow> stages, bool totals = true)
        {
            var clear = MayHoldProblems(job.JobDir); // asked before this batch writes any

            Set(_job, JobColumns, [job.JobDir, job.JobId, job.Pipeline, job.RunId, job.Status, job.Started, job.Finished, job.DurationSeconds,
                job.Host, job.WaybillVersion, 0L, _now]);
            _job.ExecuteNonQuery();
            foreach (var s in stages)
            {
                Set(_stage, StageColumns,
                [
                    job.JobDir, job.JobId, s.StageId, s.Stage, (long)s.StageNumber, s.ItemKey, s.RunId, (long)s.Attempt, s.Status, s.StatusReason,
                    s.Kind, s.Started, s.Finished, s.DurationSeconds, s.CpuSeconds, s.PeakRssMb, s.ReadBytes, s.WriteBytes, s.CostTotal,
                    s.Currency, s.Host, (long?)s.ExitCode, s.Errors.Count > 0 ? s.Errors[0].Message : null, (long)s.Errors.Count,
                    (long)s.Warnings.Count, s.ManifestPath, s.Shared, s.ReusedFrom, s.CodeCpuSeconds, _now,
                ]);
                _stage.ExecuteNonQuery();
            }
            foreach (var s in stages)
            {
                if (clear) ClearProblems(job.JobDir, s.StageId);
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
                for (var i = 0; i < 5; i++)
                    SqlParameters.Set(_totals, i, sums.IsDBNull(i) ? null : sums.GetValue(i));
            }
            SqlParameters.Set(_totals, "@job_dir", job.JobDir);
            _totals.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _job.Dispose();
            _stage.Dispose();
            _anyProblems.Dispose();
            _clearProblems.Dispose();
            _problem.Dispose();
            _sums.Dispose();
            _totals.Dispose();
        }

        private bool MayHoldProblems(string jobDir)
        {
            if (_mayHoldProblems.TryGetValue(jobDir, out var had)) return had;
            SqlParameters.Set(_anyProblems, "@job_dir", jobDir);
            had = Convert.ToInt64(_anyProblems.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
            _mayHoldProblems[jobDir] = had;
            return had;
        }

        private void ClearProblems(string jobDir, string stageId)
        {
            SqlParameters.Set(_clearProblems, "@job_dir", jobDir);
            SqlParameters.Set(_clearProblems, "@stage_id", stageId);
            _clearProblems.ExecuteNonQuery();
        }

        private void Problems(string jobDir, string stageId, string severity, IReadOnlyList<ProblemRow> problems)
        {
            for (var i = 0; i < problems.Count; i++)
            {
                Set(_problem, ProblemColumns, [jobDir, stageId, severity, (long)i, problems[i].At, problems[i].Message, problems[i].ExceptionType]);
                _problem.ExecuteNonQuery();
            }
        }

        /// <summary>A row's values, in the order of the columns the command's parameters were made from.</summary>
        private static void Set(DbCommand command, string[] columns, object?[] values)
        {
            for (var i = 0; i < columns.Length; i++) SqlParameters.Set(command, i, values[i]);
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
