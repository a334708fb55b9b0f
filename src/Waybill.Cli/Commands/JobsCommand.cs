using System.CommandLine;
using Waybill.Catalog;
using Waybill.Cli.Output.Rows;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill jobs</c>: the recent jobs of the catalog, newest first, with status, duration and cost.</summary>
internal static class JobsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var roots = JobRoots.Option();
        var catalog = new CatalogOptions();
        var status = new Option<string?>("--status") { Description = "Only jobs that ended so: success, failed, cancelled, running" };
        var since = new Option<string?>("--since") { Description = "Only jobs started since: 30m, 24h, 7d, 2w, or a date (2026-12-01)" };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only jobs of this pipeline (its name)" };
        var stage = new Option<string?>("--stage") { Description = "Only jobs that ran this stage (name or id)" };
        var limit = new Option<long>("--limit") { Description = "Show at most N jobs (0: all)", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var csv = new Option<bool>("--csv") { Description = "Print CSV" };
        var command = new Command("jobs", "List recent jobs from the catalog: status, duration, stage runs, CPU and cost")
        {
            roots, status, since, pipeline, stage, limit, json, csv,
        };
        catalog.AddTo(command);
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var filter = new CatalogFilter
            {
                Status = parse.GetValue(status) is { } s ? CatalogFilter.ParseStatus(s) : null,
                Since = parse.GetValue(since) is { } t ? SinceParser.Parse(t, TimeProvider.System.GetUtcNow()) : null,
                Pipeline = parse.GetValue(pipeline),
                Stage = parse.GetValue(stage),
            };
            var max = Limit(parse.GetValue(limit));
            using var writer = Format(output, parse.GetValue(json), parse.GetValue(csv));
            using var store = CatalogListing.Open(catalog.Required(parse), JobRoots.Read(parse, roots), error);
            CatalogListing.Print(store, CatalogQueries.Jobs(store.Connection, filter, max), writer, max, error, "jobs");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static long? Limit(long limit) => limit switch
    {
        < 0 => throw new CliException($"--limit must be 0 (all) or more, not {limit}"),
        0 => null,
        _ => limit,
    };

    public static RowWriter Format(TextWriter output, bool json, bool csv)
    {
        if (json && csv) throw new CliException("--json and --csv contradict each other", "give one of them");
        return RowWriter.For(output, json, csv, CatalogListing.HiddenInTable);
    }
}
