using System.CommandLine;
using Waybill.Catalog;
using Waybill.Cli.Output.Rows;

namespace Waybill.Cli.Commands;

/// <summary>
/// <c>waybill query</c>: stage runs across jobs with friendly filters, figures per stage, job or status (<c>--stats</c>),
/// or one read-only SQL statement over the documented schema (<c>--sql</c>).
/// </summary>
internal static class QueryCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var roots = JobRoots.Option();
        var catalog = new CatalogOptions();
        var stage = new Option<string?>("--stage") { Description = "Only runs of this stage: its name (asr) or id (06_asr, 06_asr[ep-01])" };
        var status = new Option<string?>("--status") { Description = "Only runs that ended so: success, failed, skipped, cancelled" };
        var since = new Option<string?>("--since") { Description = "Only runs started since: 30m, 24h, 7d, 2w, or a date (2026-12-01)" };
        var job = new Option<string?>("--job") { Description = "Only runs of this job (its id)" };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only runs of jobs of this pipeline (its name)" };
        var limit = new Option<long>("--limit") { Description = "Show at most N stage runs (0: all)", DefaultValueFactory = _ => 100 };
        var stats = new Option<string?>("--stats")
        {
            Description = $"Count, mean, min and max of these figures instead of the runs: {string.Join(",", CatalogQueries.Metrics.Keys)}",
        };
        var by = new Option<string>("--by")
        {
            Description = $"Group --stats by {string.Join("|", CatalogQueries.Groups.Keys)}", DefaultValueFactory = _ => "stage",
        };
        var sql = new Option<string?>("--sql") { Description = "Run one SQL statement over the catalog, read-only (schema: docs/observability.md)" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var csv = new Option<bool>("--csv") { Description = "Print CSV" };
        var command = new Command("query", "Query stage runs across jobs from the catalog")
        {
            roots, stage, status, since, job, pipeline, limit, stats, by, sql, json, csv,
        };
        catalog.AddTo(command);
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            using var writer = JobsCommand.Format(output, parse.GetValue(json), parse.GetValue(csv));
            var target = catalog.Required(parse);
            using var store = CatalogListing.Open(target, JobRoots.Read(parse, roots), error);
            if (parse.GetValue(sql) is { } text)
            {
                var filters = parse.GetValue(stage) ?? parse.GetValue(status) ?? parse.GetValue(since) ?? parse.GetValue(job);
                if ((filters ?? parse.GetValue(stats)) is not null)
                    throw new CliException("--sql takes no filters", "write them into the SQL, or leave --sql out");
                store.Dispose();
                CatalogSql.Run(target, text, writer.Begin, reader => writer.Row(RowWriter.Values(reader)));
                writer.End();
                return ExitCodes.Success;
            }
            var filter = new CatalogFilter
            {
                Stage = parse.GetValue(stage),
                Status = parse.GetValue(status) is { } s ? CatalogFilter.ParseStatus(s) : null,
                Since = parse.GetValue(since) is { } t ? SinceParser.Parse(t, TimeProvider.System.GetUtcNow()) : null,
                Job = parse.GetValue(job),
                Pipeline = parse.GetValue(pipeline),
            };
            if (parse.GetValue(stats) is { } figures)
            {
                var metrics = figures.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var grouped = CatalogQueries.Stats(store.Connection, filter, metrics, parse.GetValue(by)!);
                CatalogListing.Print(store, grouped, writer, null, error, "groups");
                return ExitCodes.Success;
            }
            if (parse.GetResult(by) is { Implicit: false })
                throw new CliException("--by groups the figures of --stats", "add --stats duration (or cpu, peak_rss, cost, …), or leave --by out");
            var max = JobsCommand.Limit(parse.GetValue(limit));
            CatalogListing.Print(store, CatalogQueries.StageRuns(store.Connection, filter, max), writer, max, error, "stage runs");
            return ExitCodes.Success;
        }));
        return command;
    }
}
