namespace Waybill.Catalog;

/// <summary>
/// The catalog's tables (docs/observability.md, "Catalog schema"). <see cref="Version"/> is stored in <c>meta</c>; a
/// catalog of another version is rebuilt from the job folders (older) or left alone (newer), never misread.
/// Times are UTC ISO-8601 text (<c>2026-12-05T04:48:31.123Z</c>): they sort as they compare, in SQLite and PostgreSQL alike.
/// </summary>
internal static class CatalogSchema
{
    // 2: stage_runs.shared and stage_runs.reused_from. 3: stage_runs.code_cpu_seconds. 4: the --stats figures in an index by
    // stage. 5: those figures in the index by start time instead. 6: no index by job id, the one by status for runs that did
    // not succeed only.
    public const int Version = 6;

    // Also covers `waybill query --stats ... --by stage` (every figure it reads): no look-up of each row in the table. Keyed by
    // start time, each run's rows go to the end of the index. Keyed by stage (schema 4) they went to as many places as the
    // run had stages: with 22,500 runs in the catalog a run of 500 stages wrote 818 WAL frames and 622 pages at the
    // checkpoint instead of 240 and 84, and indexing added 3.5% to that run instead of 1.2% (ext4, medians of 15), for a
    // stats query 2.6 ms faster (it now sorts its groups: 15.3 → 17.9 ms as a whole command on those 22,500 runs).
    private const string StartedIndex = "CREATE INDEX IF NOT EXISTS stage_runs_started ON stage_runs (started, stage, status, job_dir, "
        + "reused_from, duration_seconds, cpu_seconds, code_cpu_seconds, peak_rss_mb, cost_total, read_bytes, write_bytes)";

    // The condition of the index by status: the runs that did not succeed, the few `--status failed` looks for.
    private const string UnsuccessfulCondition = "status <> 'success'";

    // Each index costs every stage run a run indexes an insertion into one more B-tree (1.5-2 µs of SQLite's 10 µs a row):
    // the one by status holds the runs that did not succeed only, and `--job` finds a job's rows by their key, the job's
    // folder, through the jobs' index by id.
    private const string StatusIndex =
        $"CREATE INDEX IF NOT EXISTS stage_runs_status ON stage_runs (status, started) WHERE {UnsuccessfulCondition}";

    // Schema 5 differs from 6 by these indices only, 3 and 4 also by the index by start time: they are replaced in place.
    private static readonly IReadOnlyList<string> IndicesOfVersion5To6 =
        ["DROP INDEX IF EXISTS stage_runs_job_id", "DROP INDEX IF EXISTS stage_runs_status", StatusIndex];

    private static readonly IReadOnlyList<string> IndicesOfVersion4To6 =
        ["DROP INDEX IF EXISTS stage_runs_stage", "DROP INDEX IF EXISTS stage_runs_started", StartedIndex, .. IndicesOfVersion5To6];

    /// <summary>
    /// <see cref="UnsuccessfulCondition"/> on the stage runs <paramref name="alias"/>: SQLite uses the index by status for a
    /// query only where its conditions include the index's own (CatalogFilter adds it to a status other than success).
    /// </summary>
    public static string Unsuccessful(string alias) => $"{alias}.{UnsuccessfulCondition}";

    public static IReadOnlyList<string> Create(CatalogKind kind)
    {
        var real = kind == CatalogKind.Postgres ? "DOUBLE PRECISION" : "REAL";
        var big = kind == CatalogKind.Postgres ? "BIGINT" : "INTEGER";
        return
        [
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            $"""
            CREATE TABLE IF NOT EXISTS jobs (
              job_dir TEXT PRIMARY KEY, job_id TEXT NOT NULL, pipeline TEXT, run_id TEXT, status TEXT NOT NULL,
              started TEXT, finished TEXT, duration_seconds {real}, stage_runs {big}, failed_stage_runs {big},
              cpu_seconds {real}, cost_total {real}, currency TEXT, host TEXT, waybill_version TEXT,
              gone {big} NOT NULL DEFAULT 0, indexed_at TEXT NOT NULL)
            """,
            $"""
            CREATE TABLE IF NOT EXISTS stage_runs (
              job_dir TEXT NOT NULL, job_id TEXT NOT NULL, stage_id TEXT NOT NULL, stage TEXT NOT NULL, stage_number {big},
              item_key TEXT, run_id TEXT, attempt {big}, status TEXT NOT NULL, status_reason TEXT, kind TEXT,
              started TEXT, finished TEXT, duration_seconds {real}, cpu_seconds {real}, peak_rss_mb {real},
              read_bytes {big}, write_bytes {big}, cost_total {real}, currency TEXT, host TEXT, exit_code {big},
              error TEXT, error_count {big} NOT NULL DEFAULT 0, warning_count {big} NOT NULL DEFAULT 0,
              manifest_path TEXT, shared TEXT, reused_from TEXT, code_cpu_seconds {real}, indexed_at TEXT NOT NULL,
              PRIMARY KEY (job_dir, stage_id))
            """,
            $"""
            CREATE TABLE IF NOT EXISTS problems (
              job_dir TEXT NOT NULL, stage_id TEXT NOT NULL, severity TEXT NOT NULL, position {big} NOT NULL,
              at TEXT, message TEXT NOT NULL, exception_type TEXT,
              PRIMARY KEY (job_dir, stage_id, severity, position))
            """,
            "CREATE INDEX IF NOT EXISTS jobs_started ON jobs (started)",
            "CREATE INDEX IF NOT EXISTS jobs_job_id ON jobs (job_id)",
            StatusIndex,
            StartedIndex,
        ];
    }

    /// <summary>
    /// What brings a catalog of an older version up to date in place, by the version it has: a change of indices keeps the
    /// rows (a catalog a team shares holds other hosts' jobs, which a rebuild from this run's folders would lose).
    /// </summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<string>> Migrations { get; } = new Dictionary<int, IReadOnlyList<string>>
    {
        [3] = IndicesOfVersion4To6,
        [4] = IndicesOfVersion4To6,
        [5] = IndicesOfVersion5To6,
    };

    /// <summary>Drops what <see cref="Create"/> makes: a catalog of an older schema is rebuilt from the job folders.</summary>
    public static IReadOnlyList<string> Drop { get; } =
        ["DROP TABLE IF EXISTS problems", "DROP TABLE IF EXISTS stage_runs", "DROP TABLE IF EXISTS jobs", "DROP TABLE IF EXISTS meta"];
}
