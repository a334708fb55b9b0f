using System.Text.Json.Nodes;
using Waybill.Catalog;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Catalog;

/// <summary>
/// The catalog across jobs, end to end through the CLI: runs are indexed when they end, <c>jobs</c> and <c>query</c> read
/// them back with filters, figures and SQL, and the job folders stay the truth. Run once per kind of catalog.
/// </summary>
public abstract class CatalogSuite : IDisposable
{
    // 02_asr fails when the run is given --set fail=1; 03_report runs either way (-k).
    private const string Pipeline = """
        name: catalog-test
        config: { fail: 0 }
        stages:
          - id: 01_prep
            run: echo audio > {out.audio}
            outputs: { audio: audio.txt }
          - id: 02_asr
            inputs: { audio: 01_prep.audio }
            run: 'if [ {config.fail} = 1 ]; then echo "model crashed" >&2; exit 3; fi; cat {in.audio} > {out.text}'
            outputs: { text: text.txt }
          - id: 03_report
            run: echo report
        """;

    private static readonly string[] BothJobs = ["ok", "broken"];

    protected TempFolder Temp { get; } = new();

    /// <summary>The catalog the CLI is pointed at (WAYBILL_CATALOG): a file or a postgres:// URL.</summary>
    protected abstract string Catalog { get; }

    public virtual void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    protected Task<CliProcess.Result> Waybill(params string[] args) =>
        CliProcess.RunAsync(Temp.Path, new Dictionary<string, string> { ["WAYBILL_CATALOG"] = Catalog }, args);

    protected async Task RunJobsAsync()
    {
        Temp.Write("waybill.yaml", Pipeline);
        var ok = await Waybill("run", "waybill.yaml", "--job-id", "ok");
        Assert.True(ok.ExitCode == 0, ok.All);
        var broken = await Waybill("run", "waybill.yaml", "--job-id", "broken", "--set", "fail=1", "-k");
        Assert.True(broken.ExitCode == 1, broken.All);
        Assert.DoesNotContain("not indexed", ok.All + broken.All, StringComparison.Ordinal);
    }

    protected static JsonArray Json(CliProcess.Result result)
    {
        Assert.True(result.ExitCode == 0, result.All);
        return JsonNode.Parse(result.Stdout)!.AsArray();
    }

    private JsonNode StageManifest(string job, string stage) =>
        JsonNode.Parse(File.ReadAllText(Temp.Combine("out", job, stage, "manifest.json")))!;

    [Fact]
    public async Task The_catalog_option_names_the_catalog_for_run_jobs_and_query_without_the_variable()
    {
        Temp.Write("waybill.yaml", Pipeline);
        // WAYBILL_CATALOG is off here (CliProcess): only --catalog points the commands at this catalog.
        var run = await CliProcess.RunAsync(Temp.Path, "run", "waybill.yaml", "--job-id", "broken", "--set", "fail=1", "-k", "--catalog", Catalog);
        Assert.True(run.ExitCode == 1, run.All);

        Assert.Equal("broken", (string)Assert.Single(Json(await CliProcess.RunAsync(Temp.Path, "jobs", "--json", "--catalog", Catalog)))!["job"]!);
        var failed = Json(await CliProcess.RunAsync(Temp.Path, "query", "--stage", "asr", "--status", "failed", "--json", "--catalog", Catalog));
        Assert.Equal("02_asr", (string)Assert.Single(failed)!["stage_id"]!);
        var off = await CliProcess.RunAsync(Temp.Path, "jobs", "--json");
        Assert.True(off.ExitCode != 0, off.All);
        Assert.Contains("the catalog is off", off.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_finished_job_is_listed_by_jobs_with_status_duration_and_stage_counts()
    {
        await RunJobsAsync();
        var jobs = Json(await Waybill("jobs", "--json"));
        Assert.Equal(["broken", "ok"], jobs.Select(j => (string)j!["job"]!).ToArray());
        var broken = jobs[0]!;
        Assert.Equal("failed", (string)broken["status"]!);
        Assert.Equal(3, (long)broken["stage_runs"]!);
        Assert.Equal(1, (long)broken["failed_stage_runs"]!);
        Assert.Equal("catalog-test", (string)broken["pipeline"]!);
        Assert.True((double)broken["duration_seconds"]! > 0);
        Assert.Equal("success", (string)jobs[1]!["status"]!);
        var table = await Waybill("jobs");
        Assert.True(table.ExitCode == 0, table.All);
        Assert.Contains("broken", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Temp.Path, table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Which_runs_of_asr_failed_last_week_is_one_query()
    {
        await RunJobsAsync();
        var failed = Json(await Waybill("query", "--stage", "asr", "--status", "failed", "--since", "7d", "--json"));
        var run = Assert.Single(failed);
        Assert.Equal("broken", (string)run!["job"]!);
        Assert.Equal("02_asr", (string)run["stage_id"]!);
        Assert.Contains("exited with code 3", (string)run["error"]!, StringComparison.Ordinal);
        Assert.Equal((string)StageManifest("broken", "02_asr")["errors"]![0]!["message"]!, (string)run["error"]!);
        Assert.Empty(Json(await Waybill("query", "--stage", "02_asr", "--status", "failed", "--since", "2999-01-01", "--json")));
        Assert.Equal(6, Json(await Waybill("query", "--json")).Count);
        Assert.Equal(3, Json(await Waybill("query", "--job", "ok", "--json")).Count);
        var ungrouped = await Waybill("query", "--by", "job");
        Assert.Equal(2, ungrouped.ExitCode);
        Assert.Contains("--by groups the figures of --stats", ungrouped.Stderr, StringComparison.Ordinal);
        var bad = await Waybill("query", "--since", "last tuesday");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--since 'last tuesday'", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_by_stage_give_the_mean_duration_the_manifests_record()
    {
        await RunJobsAsync();
        var stats = Json(await Waybill("query", "--stats", "duration,cpu,peak_rss,cost", "--by", "stage", "--json"));
        Assert.Equal(["asr", "prep", "report"], stats.Select(s => (string)s!["stage"]!).ToArray());
        var asr = stats[0]!;
        Assert.Equal(2, (long)asr["runs"]!);
        Assert.Equal(2, (long)asr["jobs"]!);
        var durations = BothJobs.Select(j => (double)StageManifest(j, "02_asr")["duration_seconds"]!).ToArray();
        Assert.Equal(durations.Average(), (double)asr["duration_mean"]!, 6);
        Assert.Equal(durations.Max(), (double)asr["duration_max"]!, 6);
        Assert.NotNull(asr["cpu_mean"]);
        var csv = await Waybill("query", "--stage", "asr", "--stats", "duration", "--csv");
        Assert.True(csv.ExitCode == 0, csv.All);
        var lines = csv.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("stage,runs,jobs,duration_mean,duration_min,duration_max", lines[0]);
        Assert.StartsWith("asr,2,2,", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
        var unknown = await Waybill("query", "--stats", "speed");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("'speed' is not a figure", unknown.Stderr, StringComparison.Ordinal);
        // Grouped or filtered by what only the job knows (its pipeline): the stage runs are read with their jobs.
        var byPipeline = Assert.Single(Json(await Waybill("query", "--stats", "duration", "--by", "pipeline", "--json")))!;
        Assert.Equal("catalog-test", (string)byPipeline["pipeline"]!);
        Assert.Equal(6, (long)byPipeline["runs"]!);
        Assert.Equal(3, Json(await Waybill("query", "--pipeline", "catalog-test", "--stats", "duration", "--by", "stage", "--json")).Count);
        Assert.Empty(Json(await Waybill("query", "--pipeline", "another", "--stats", "duration", "--by", "stage", "--json")));
    }

    [Fact]
    public async Task Sql_reads_the_documented_schema_and_a_write_is_refused()
    {
        await RunJobsAsync();
        var count = Json(await Waybill("query", "--sql", "SELECT COUNT(*) AS n FROM stage_runs WHERE status = 'failed'", "--json"));
        Assert.Equal(1, (long)count[0]!["n"]!);
        var version = Json(await Waybill("query", "--sql", "SELECT value FROM meta WHERE key = 'schema_version'", "--json"));
        Assert.Equal("6", (string)version[0]!["value"]!); // docs/observability.md, "Catalog schema (version 6)"
        var csv = await Waybill("query", "--sql", "SELECT job_id, stage_id FROM stage_runs ORDER BY job_id, stage_id", "--csv");
        Assert.StartsWith("job_id,stage_id\r\nbroken,01_prep\r\nbroken,02_asr\r\nbroken,03_report\r\nok,01_prep\r\n", csv.Stdout,
            StringComparison.Ordinal);
        var copy = Temp.Combine("copy.db");
        // The last one passes the first-word check and is refused by the read-only connection itself.
        foreach (var write in new[] { "DELETE FROM jobs", "UPDATE stage_runs SET status = 'success'", "DROP TABLE jobs",
                     $"VACUUM INTO '{copy}'", "PRAGMA journal_mode=DELETE", "/* a comment */ ATTACH DATABASE 'x.db' AS x",
                     "WITH gone AS (SELECT job_dir FROM jobs) DELETE FROM jobs WHERE job_dir IN (SELECT job_dir FROM gone)" })
        {
            var refused = await Waybill("query", "--sql", write);
            Assert.True(refused.ExitCode == 2, refused.All);
            Assert.Contains("--sql may only read", refused.Stderr, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(copy));
        var two = await Waybill("query", "--sql", "SELECT 1; DELETE FROM jobs");
        Assert.Equal(2, two.ExitCode);
        Assert.Contains("2 statements", two.Stderr, StringComparison.Ordinal);
        var typo = await Waybill("query", "--sql", "SELECT nothing FROM nowhere");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("--sql failed", typo.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, Json(await Waybill("jobs", "--json")).Count);
        Assert.Single(Json(await Waybill("query", "--status", "failed", "--json")));
    }

    [Fact]
    public async Task A_job_folder_deleted_behind_the_catalog_is_marked_gone_not_an_error()
    {
        await RunJobsAsync();
        Directory.Delete(Temp.Combine("out", "ok"), recursive: true);
        var listed = await Waybill("jobs", "--json");
        var jobs = Json(listed);
        Assert.Equal("gone", (string)jobs.Single(j => (string)j!["job"]! == "ok")!["folder"]!);
        Assert.Equal("present", (string)jobs.Single(j => (string)j!["job"]! == "broken")!["folder"]!);
        Assert.Contains("marked gone", listed.Stderr, StringComparison.Ordinal);
        var flag = Json(await Waybill("query", "--sql", "SELECT gone FROM jobs WHERE job_id = 'ok'", "--json"));
        Assert.Equal(1, (long)flag[0]!["gone"]!);
        // A rebuild keeps the history of a job whose folder is gone, flagged; its runs still count.
        var rebuilt = await Waybill("catalog", "rebuild");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.All);
        Assert.Contains("1 job, 3 stage runs", rebuilt.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, Json(await Waybill("query", "--job", "ok", "--json")).Count(r => (string)r!["folder"]! == "gone"));
    }

    [Fact]
    public async Task Rebuild_recreates_the_catalog_from_the_job_folders()
    {
        await RunJobsAsync();
        var rebuilt = await Waybill("catalog", "rebuild", "--out", "out");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.All);
        Assert.Contains("2 jobs, 6 stage runs", rebuilt.Stdout, StringComparison.Ordinal);
        var failed = Json(await Waybill("query", "--status", "failed", "--json"));
        Assert.Equal("02_asr", (string)Assert.Single(failed)!["stage_id"]!);
        var missing = await Waybill("catalog", "rebuild", "--out", "nowhere");
        Assert.True(missing.ExitCode == 0, missing.All);
        Assert.Contains("nowhere does not exist", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_runs_that_end_at_once_are_both_indexed()
    {
        Temp.Write("waybill.yaml", Pipeline);
        var runs = await Task.WhenAll(Enumerable.Range(1, 2).Select(i => Waybill("run", "waybill.yaml", "--job-id", $"parallel-{i}")));
        foreach (var run in runs)
        {
            Assert.True(run.ExitCode == 0, run.All);
            Assert.DoesNotContain("not indexed", run.All, StringComparison.Ordinal);
        }
        var jobs = Json(await Waybill("jobs", "--json"));
        Assert.Equal(["parallel-1", "parallel-2"], jobs.Select(j => (string)j!["job"]!).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(6, Json(await Waybill("query", "--json")).Count);
    }

    [Fact]
    public async Task A_rerun_that_finds_stages_up_to_date_keeps_their_real_runs_in_the_catalog()
    {
        await RunJobsAsync();
        var before = Json(await Waybill("query", "--job", "ok", "--json"));
        var again = await Waybill("run", "waybill.yaml", "--job-id", "ok");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Contains("up to date", again.All, StringComparison.Ordinal);
        var after = Json(await Waybill("query", "--job", "ok", "--json"));
        Assert.Equal(before.Count, after.Count);
        foreach (var row in after)
        {
            var stage = (string)row!["stage_id"]!;
            Assert.Equal("success", (string)row["status"]!);
            Assert.Equal((double)StageManifest("ok", stage)["duration_seconds"]!, (double)row["duration_seconds"]!, 3);
        }
    }

    [Fact]
    public async Task A_rerun_replaces_the_problems_an_earlier_run_recorded()
    {
        await RunJobsAsync();
        const string Errors =
            "SELECT p.stage_id, p.message FROM problems p JOIN jobs j USING (job_dir) WHERE j.job_id = 'broken' AND p.severity = 'error'";
        var before = Json(await Waybill("query", "--sql", Errors, "--json"));
        Assert.Contains(before, p => (string)p!["stage_id"]! == "02_asr");
        // Failing again the same way: its error replaces the one before (the same key in the problems table).
        var again = await Waybill("run", "waybill.yaml", "--job-id", "broken", "--set", "fail=1", "-k");
        Assert.True(again.ExitCode == 1, again.All);
        Assert.DoesNotContain("not indexed", again.All, StringComparison.Ordinal);
        Assert.Single(Json(await Waybill("query", "--sql", Errors, "--json")), p => (string)p!["stage_id"]! == "02_asr");
        var fixedRun = await Waybill("run", "waybill.yaml", "--job-id", "broken", "--set", "fail=0");
        Assert.True(fixedRun.ExitCode == 0, fixedRun.All);
        Assert.DoesNotContain(Json(await Waybill("query", "--sql", Errors, "--json")), p => (string)p!["stage_id"]! == "02_asr");
        var totals = Json(await Waybill("query", "--sql", "SELECT failed_stage_runs FROM jobs WHERE job_id = 'broken'", "--json"));
        Assert.Equal(0, (long)totals[0]!["failed_stage_runs"]!);
    }

    [Theory]
    [InlineData(3, "stage, status, started")]
    [InlineData(4, "stage, status, started, job_dir, reused_from, duration_seconds, cpu_seconds, code_cpu_seconds, peak_rss_mb, "
        + "cost_total, read_bytes, write_bytes")]
    [InlineData(5, null)]
    public async Task A_catalog_of_an_older_schema_is_brought_up_to_date_in_place_with_every_row(int schema, string? stageIndex)
    {
        await RunJobsAsync();
        using (var connection = CatalogConnections.OpenReadWrite(CatalogTarget.Parse(Catalog)))
        {
            // As a Waybill of that schema left it: up to 5, an index by job id and one by status over every run; up to 4, the
            // figures in an index by stage and the index by start time narrow.
            CatalogConnections.Execute(connection, "DROP INDEX stage_runs_status");
            CatalogConnections.Execute(connection, "CREATE INDEX stage_runs_status ON stage_runs (status, started)");
            CatalogConnections.Execute(connection, "CREATE INDEX stage_runs_job_id ON stage_runs (job_id)");
            if (stageIndex is not null)
            {
                CatalogConnections.Execute(connection, "DROP INDEX stage_runs_started");
                CatalogConnections.Execute(connection, "CREATE INDEX stage_runs_started ON stage_runs (started)");
                CatalogConnections.Execute(connection, $"CREATE INDEX stage_runs_stage ON stage_runs ({stageIndex})");
            }
            CatalogConnections.Execute(connection, $"UPDATE meta SET value = '{schema}' WHERE key = 'schema_version'");
        }
        // A job only the catalog still knows (its folder deleted, or another host's in a shared catalog): a rebuild from
        // this run's folders would lose it.
        Directory.Delete(Temp.Combine("out", "ok"), recursive: true);
        var listed = await Waybill("jobs", "--json");
        Assert.DoesNotContain("rebuilt", listed.Stderr, StringComparison.Ordinal);
        Assert.Equal(["broken", "ok"], Json(listed).Select(j => (string)j!["job"]!).Order(StringComparer.Ordinal).ToArray());
        var version = Json(await Waybill("query", "--sql", "SELECT value FROM meta WHERE key = 'schema_version'", "--json"));
        Assert.Equal("6", (string)version[0]!["value"]!);
        Assert.Equal(6, Json(await Waybill("query", "--json")).Count);
        Assert.Equal(["stage_runs_started", "stage_runs_status"], StageRunIndices());
        // The index by start time is the wide one of schema 5, not the narrow one it replaced under the same name; the one by
        // status holds the runs that did not succeed only.
        Assert.Contains("write_bytes", IndexDefinition("stage_runs_started"), StringComparison.Ordinal);
        Assert.Contains("WHERE", IndexDefinition("stage_runs_status"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["02_asr"], Json(await Waybill("query", "--status", "failed", "--json")).Select(r => (string)r!["stage_id"]!).ToArray());
        Assert.Equal(3, Json(await Waybill("query", "--job", "broken", "--json")).Count);
        Assert.Equal(3, Json(await Waybill("query", "--stats", "duration,cpu,cost", "--by", "stage", "--json")).Count);
    }

    /// <summary>How the catalog defines an index: its CREATE INDEX statement.</summary>
    private string IndexDefinition(string name)
    {
        using var connection = CatalogConnections.OpenReadOnly(CatalogTarget.Parse(Catalog));
        using var command = connection.CreateCommand();
        command.CommandText = CatalogTarget.Parse(Catalog).Kind == CatalogKind.Postgres
            ? $"SELECT indexdef FROM pg_indexes WHERE indexname = '{name}'"
            : $"SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '{name}'";
        return command.ExecuteScalar() as string ?? "";
    }

    /// <summary>The indices of stage_runs that the schema creates (not those of its primary key), by name.</summary>
    private string[] StageRunIndices()
    {
        using var connection = CatalogConnections.OpenReadOnly(CatalogTarget.Parse(Catalog));
        using var command = connection.CreateCommand();
        command.CommandText = CatalogTarget.Parse(Catalog).Kind == CatalogKind.Postgres
            ? "SELECT indexname FROM pg_indexes WHERE tablename = 'stage_runs' AND indexname <> 'stage_runs_pkey'"
            : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'stage_runs' AND sql IS NOT NULL";
        var names = new List<string>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) names.Add(reader.GetString(0));
        return [.. names.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task A_long_run_s_finished_stage_runs_are_in_the_catalog_while_it_runs()
    {
        // 70 items, then a stage that looks at the catalog from inside the run: it waits (bounded) until the first batch of
        // finished items is indexed, and keeps what `jobs` and `query` say then. The catalog exists already: a command that
        // found none would rebuild it from the job folders, the running job's among them.
        await RunJobsAsync();
        var values = string.Join(", ", Enumerable.Range(1, 70).Select(i => $"v{i}"));
        var look = $"{CliProcess.ShellCommand} jobs --json --catalog '{Catalog}'";
        Temp.Write("live.yaml", $$"""
            name: catalog-live
            stages:
              - id: 01_each
                foreach: { values: [{{values}}] }
                run: echo {item.value} > {out.o}
                outputs: { o: o.txt }
              - id: 02_look
                inputs: { all: 01_each.o[*] }
                run: |
                  for i in $(seq 200); do {{look}} > {out.jobs}; grep -q '"live"' {out.jobs} && break; sleep 0.05; done
                  {{CliProcess.ShellCommand}} query --job live --json --catalog '{{Catalog}}' > {out.runs}
                outputs: { jobs: jobs.json, runs: runs.json }
            """);
        var run = await Waybill("run", "live.yaml", "--job-id", "live", "--jobs", "1");
        Assert.True(run.ExitCode == 0, run.All);

        var during = JsonNode.Parse(File.ReadAllText(Temp.Combine("out", "live", "02_look", "jobs.json")))!.AsArray();
        Assert.Equal("running", (string)during.Single(j => (string)j!["job"]! == "live")!["status"]!);
        var runsDuring = JsonNode.Parse(File.ReadAllText(Temp.Combine("out", "live", "02_look", "runs.json")))!.AsArray();
        Assert.True(runsDuring.Count is >= 64 and <= 70, runsDuring.ToJsonString());
        Assert.All(runsDuring, r => Assert.StartsWith("01_each[", (string)r!["stage_id"]!, StringComparison.Ordinal));
        // When the run ends: every stage run, and the job as it ended with its totals.
        var job = Json(await Waybill("jobs", "--json")).Single(j => (string)j!["job"]! == "live")!;
        Assert.Equal("success", (string)job["status"]!);
        Assert.Equal(71, Json(await Waybill("query", "--job", "live", "--json")).Count);
        var totals = Json(await Waybill("query", "--sql", "SELECT stage_runs, failed_stage_runs FROM jobs WHERE job_id = 'live'", "--json"));
        Assert.Equal(71, (long)totals[0]!["stage_runs"]!);
        Assert.Equal(0, (long)totals[0]!["failed_stage_runs"]!);
    }

    /// <summary>A catalog that cannot be opened: the run succeeds and says so once.</summary>
    protected async Task AssertRunSucceedsWithOneWarningAsync(string unavailable)
    {
        Temp.Write("waybill.yaml", Pipeline);
        var run = await CliProcess.RunAsync(Temp.Path, new Dictionary<string, string> { ["WAYBILL_CATALOG"] = unavailable },
            "run", "waybill.yaml", "--job-id", "unindexed");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(1, run.All.Split('\n').Count(l => l.Contains("this run is not indexed", StringComparison.Ordinal)));
        Assert.Equal("success", (string)JsonNode.Parse(File.ReadAllText(Temp.Combine("out", "unindexed", "manifest.json")))!["status"]!);
    }
}
