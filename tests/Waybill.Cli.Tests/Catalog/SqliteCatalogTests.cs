using System.Text.Json.Nodes;
using Waybill.Catalog;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Catalog;

/// <summary>
/// The catalog suite on the default SQLite file, and what only a file can suffer: damage, deletion, a folder that cannot be
/// written; and a catalog of 100,000 jobs.
/// </summary>
public sealed class SqliteCatalogTests : CatalogSuite
{
    private static readonly string[] BothJobsSorted = ["broken", "ok"];

    protected override string Catalog => Temp.Combine("data", "catalog.db");

    [Fact]
    public async Task Without_an_option_or_the_variable_the_catalog_is_a_file_in_the_user_s_data_directory()
    {
        // As a user who never heard of the catalog finds it: WAYBILL_CATALOG unset (empty), data under XDG_DATA_HOME.
        var env = new Dictionary<string, string> { ["WAYBILL_CATALOG"] = "", ["XDG_DATA_HOME"] = Temp.Combine("xdg") };
        Temp.Write("waybill.yaml", "name: p\nstages:\n  - id: 01_a\n    run: echo a\n");
        var run = await Support.CliProcess.RunAsync(Temp.Path, env, "run", "waybill.yaml", "--job-id", "first");
        Assert.True(run.ExitCode == 0, run.All);

        Assert.True(File.Exists(Temp.Combine("xdg", "waybill", "catalog.db")), run.All);
        var jobs = Json(await Support.CliProcess.RunAsync(Temp.Path, env, "jobs", "--json"));
        Assert.Equal("first", (string)Assert.Single(jobs)!["job"]!);
    }

    [Fact]
    public async Task Figures_by_stage_are_read_from_one_index_without_the_table()
    {
        await RunJobsAsync();
        using var connection = CatalogConnections.OpenReadOnly(CatalogTarget.Parse(Catalog));
        using var stats = CatalogQueries.Stats(connection, new CatalogFilter(), [.. CatalogQueries.Metrics.Keys], "stage");
        stats.CommandText = "EXPLAIN QUERY PLAN " + stats.CommandText;
        var plan = new List<string>();
        using (var reader = stats.ExecuteReader())
            while (reader.Read()) plan.Add(reader.GetString(3));
        // No look-up of each row in the table: the cost of `--stats ... --by stage` on 10,000 runs (CatalogSchema).
        Assert.Equal("SCAN s USING COVERING INDEX stage_runs_started", plan[0]);
        Assert.DoesNotContain(plan, step => step is "SCAN s" or "SCAN stage_runs");
        Assert.Equal(3, Json(await Waybill("query", "--stats", "duration,cpu,cost", "--by", "stage", "--json")).Count);
    }

    [Fact]
    public async Task Failed_runs_are_read_through_the_index_of_runs_that_did_not_succeed_and_a_job_s_through_its_folder()
    {
        await RunJobsAsync();
        // Every stage run a run indexes costs one insertion per index: the one by status holds the runs that did not
        // succeed, and only a query that says so can use it; stage runs have no index by job id (CatalogSchema).
        Assert.Contains("USING INDEX stage_runs_status (status=?)", Plan(new CatalogFilter { Status = Core.Manifests.StageStatus.Failed }));
        Assert.Contains("USING INDEX sqlite_autoindex_stage_runs_1 (job_dir=?)", Plan(new CatalogFilter { Job = "broken" }));
        Assert.Equal(["02_asr"], Json(await Waybill("query", "--status", "failed", "--json")).Select(r => (string)r!["stage_id"]!).ToArray());
        Assert.Equal(["01_prep", "03_report"], Json(await Waybill("query", "--job", "broken", "--status", "success", "--json"))
            .Select(r => (string)r!["stage_id"]!).Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>SQLite's plan for <c>waybill query</c>'s stage runs under <paramref name="filter"/>, one step per line.</summary>
    private string Plan(CatalogFilter filter)
    {
        using var connection = CatalogConnections.OpenReadOnly(CatalogTarget.Parse(Catalog));
        using var query = CatalogQueries.StageRuns(connection, filter, null);
        query.CommandText = "EXPLAIN QUERY PLAN " + query.CommandText;
        var plan = new List<string>();
        using (var reader = query.ExecuteReader())
            while (reader.Read()) plan.Add(reader.GetString(3));
        return string.Join("\n", plan);
    }

    [Fact]
    public async Task Readers_just_after_runs_see_every_job_whether_or_not_the_log_was_copied_into_the_file_yet()
    {
        // A run copies SQLite's log into the catalog file once its end no longer waits, or leaves it to the next run's
        // opening when the process ends first (CatalogObserverTests, the store tests below): readers read the log either way.
        await RunJobsAsync();
        Assert.Equal(2, Json(await Waybill("jobs", "--json")).Count);
        var third = await Waybill("run", "waybill.yaml", "--job-id", "third");
        Assert.True(third.ExitCode == 0, third.All);
        Assert.Equal(3, Json(await Waybill("jobs", "--json")).Count);
        var check = Json(await Waybill("query", "--sql", "SELECT * FROM pragma_integrity_check()", "--json"));
        Assert.Equal("ok", (string)check.Single()!["integrity_check"]!);
    }

    [Fact]
    public void A_run_s_last_transaction_stays_in_the_log_even_past_the_size_at_which_SQLite_would_copy_it()
    {
        // SQLite copies the log into the file, syncing both, at the commit that takes it past 1,000 pages; a run's last
        // transaction (about 8 MB here) must leave that copy to the next opening, as a smaller one does.
        var target = CatalogTarget.Parse(Catalog);
        Directory.CreateDirectory(Temp.Combine("out"));
        long before;
        using (var store = CatalogStore.Open(target, [Temp.Combine("out")], _ => { }, TimeProvider.System))
        {
            store.Checkpoint();
            before = new FileInfo(Catalog).Length;
            store.StopCheckpointing();
            var started = new DateTimeOffset(2026, 12, 6, 1, 0, 0, TimeSpan.Zero);
            var job = new JobRow(Temp.Combine("out", "big"), "big", "p", "run-1", "success", started, started.AddMinutes(5), 300, "host", "1");
            store.Index(job, [.. Enumerable.Range(1, 12_000).Select(i => new StageRunRow
            {
                StageId = $"01_item[episode-{i:D5}]", Stage = "item", ItemKey = $"episode-{i:D5}", Status = "success", Kind = "command",
                Started = started.AddMilliseconds(i), Finished = started.AddMilliseconds(i + 5), DurationSeconds = 0.005,
                StatusReason = "never run before", Host = "host", ManifestPath = $"01_item/episode-{i:D5}/manifest.json",
            })]);
        }
        Assert.Equal(before, new FileInfo(Catalog).Length);
        Assert.True(new FileInfo(Catalog + "-wal").Length > 1000 * 4096, $"the log holds {new FileInfo(Catalog + "-wal").Length} bytes");

        using (var store = CatalogStore.Open(target, [Temp.Combine("out")], _ => { }, TimeProvider.System)) store.Checkpoint();
        Assert.True(new FileInfo(Catalog).Length > before + 1000 * 4096);
    }

    [Fact]
    public void Commands_that_read_map_the_catalog_file_and_the_connection_a_run_indexes_on_never_does()
    {
        // A map turns a file that cannot be read into a signal that ends the process: a run must never fail for its catalog.
        var target = CatalogTarget.Parse(Catalog);
        Directory.CreateDirectory(Temp.Combine("out"));
        using (var writing = CatalogStore.Open(target, [Temp.Combine("out")], _ => { }, TimeProvider.System))
            Assert.Equal(0L, MapSize(writing.Connection));
        using (var reading = CatalogStore.OpenForReading(target, [Temp.Combine("out")], _ => { }, TimeProvider.System))
            Assert.Equal(256L << 20, MapSize(reading.Connection));
        using var sql = CatalogConnections.OpenReadOnly(target);
        Assert.Equal(256L << 20, MapSize(sql));
    }

    private static long MapSize(System.Data.Common.DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA mmap_size";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_damaged_catalog_is_kept_aside_and_rebuilt_with_a_message()
    {
        await RunJobsAsync();
        foreach (var suffix in new[] { "-wal", "-shm" }) File.Delete(Catalog + suffix);
        await File.WriteAllTextAsync(Catalog, "this is not a SQLite database, it was overwritten by mistake", TestContext.Current.CancellationToken);
        var listed = await Waybill("jobs", "--json");
        Assert.Contains("was damaged", listed.Stderr, StringComparison.Ordinal);
        Assert.Contains("rebuilt it from the job folders", listed.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, Json(listed).Count);
        Assert.StartsWith("this is not a SQLite", await File.ReadAllTextAsync(Catalog + ".damaged", TestContext.Current.CancellationToken),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rebuild_that_meets_a_job_twice_keeps_its_problems_once()
    {
        await RunJobsAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(Catalog + suffix);
        // The same folder given twice: a fresh catalog writes the failed job's problems, then replaces them.
        var rebuilt = await Waybill("catalog", "rebuild", "--out", "out", "--out", "out");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.All);
        var errors = Json(await Waybill("query", "--sql",
            "SELECT COUNT(*) AS n FROM problems p JOIN jobs j USING (job_dir) WHERE j.job_id = 'broken' AND p.severity = 'error'", "--json"));
        Assert.Equal(1, (long)errors[0]!["n"]!);
    }

    [Fact]
    public async Task A_rebuild_leaves_every_row_in_the_catalog_file_and_its_write_ahead_log_empty()
    {
        // Every command that opens the catalog first reads what the log holds: a rebuild's log is as large as the catalog.
        await RunJobsAsync();
        var rebuilt = await Waybill("catalog", "rebuild");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.All);
        Assert.Equal(0, new FileInfo(Catalog + "-wal") is { Exists: true } log ? log.Length : 0);
        File.Copy(Catalog, Temp.Combine("file-alone.db"));
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Temp.Combine("file-alone.db")};Pooling=False");
        connection.Open();
        using var runs = connection.CreateCommand();
        runs.CommandText = "SELECT COUNT(*) FROM stage_runs";
        Assert.Equal(6L, (long)runs.ExecuteScalar()!);
    }

    [Fact]
    public async Task A_missing_catalog_is_rebuilt_with_a_message()
    {
        await RunJobsAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(Catalog + suffix);
        var listed = await Waybill("query", "--stage", "asr", "--status", "failed", "--json");
        Assert.Contains("no catalog at", listed.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 jobs, 6 stage runs", listed.Stderr, StringComparison.Ordinal);
        Assert.Equal("broken", (string)Assert.Single(Json(listed))!["job"]!);
    }

    [Fact]
    public async Task A_catalog_that_cannot_be_written_costs_the_run_one_warning()
    {
        Temp.Write("not-a-folder", "a file where the catalog's folder would be");
        await AssertRunSucceedsWithOneWarningAsync(Temp.Combine("not-a-folder", "catalog.db"));
    }

    [Fact]
    public async Task A_query_over_100000_jobs_is_streamed_and_the_default_listing_is_one_page()
    {
        var target = CatalogTarget.Parse(Catalog);
        using (var store = CatalogStore.Open(target, [Temp.Combine("no-jobs")], _ => { }, TimeProvider.System))
        {
            using var transaction = store.Connection.BeginTransaction();
            using var batch = new CatalogWriter.Batch(store.Connection, transaction, TimeProvider.System.GetUtcNow());
            var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < 100_000; i++)
            {
                var at = start.AddSeconds(i);
                var dir = Temp.Combine("out", $"job-{i:D6}");
                batch.Write(new JobRow(dir, $"job-{i:D6}", "big", "r", "success", at, at.AddSeconds(2), 2, "host", "0.1.0"),
                    [new StageRunRow { StageId = "01_asr", Stage = "asr", Status = i % 10 == 0 ? "failed" : "success", Started = at,
                        DurationSeconds = 1 + i % 3 }]);
            }
            transaction.Commit();
        }
        Directory.CreateDirectory(Temp.Combine("out"));
        // The folders do not exist: every row is shown as gone, which the listing finds out row by row as it prints.
        var all = await Waybill("query", "--limit", "0", "--csv");
        Assert.True(all.ExitCode == 0, all.Stderr);
        Assert.Equal(100_001, all.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var jobs = await Waybill("jobs", "--stage", "asr", "--limit", "0", "--csv", "--status", "success");
        Assert.Equal(100_001, jobs.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var page = await Waybill("jobs");
        Assert.Equal(21, page.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("the first 20 jobs shown", page.Stderr, StringComparison.Ordinal);
        var stats = Json(await Waybill("query", "--stats", "duration", "--status", "failed", "--json"));
        Assert.Equal(10_000, (long)stats[0]!["runs"]!);
    }

    [Fact]
    public async Task Figures_an_in_process_stage_shares_with_the_engine_are_not_indexed_as_its_own()
    {
        Temp.Write("in.txt", "data");
        Temp.Write("copy.yaml", """
            name: shared
            stages:
              - id: 01_copy
                uses: copy
                inputs: { src: in.txt }
                outputs: { src: out.txt }
            """);
        var run = await Waybill("run", "copy.yaml", "--job-id", "c");
        Assert.True(run.ExitCode == 0, run.All);
        var row = Assert.Single(Json(await Waybill("query", "--sql",
            "SELECT shared, peak_rss_mb, reused_from FROM stage_runs WHERE stage_id = '01_copy'", "--json")))!;
        Assert.Contains("peak_rss", (string)row["shared"]!, StringComparison.Ordinal);
        Assert.Null(row["peak_rss_mb"]);
        Assert.Null(row["reused_from"]);
        var stats = Assert.Single(Json(await Waybill("query", "--stage", "copy", "--stats", "peak_rss", "--json")))!;
        Assert.Null(stats["peak_rss_mean"]);
        // What is its own is indexed: the CPU time of its code, as its manifest records it.
        var code = JsonNode.Parse(File.ReadAllText(Temp.Combine("out", "c", "01_copy", "manifest.json")))!["resources"]!["code_cpu_seconds"]!;
        var ownStats = Assert.Single(Json(await Waybill("query", "--stage", "copy", "--stats", "code_cpu", "--json")))!;
        Assert.Equal(code.GetValue<double>(), (double)ownStats["code_cpu_mean"]!, 6);
    }
}
