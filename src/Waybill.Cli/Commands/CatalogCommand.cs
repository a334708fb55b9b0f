using System.CommandLine;
using Waybill.Catalog;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill catalog rebuild</c>: the catalog recreated from the job folders, which are the truth.</summary>
internal static class CatalogCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var roots = JobRoots.Option();
        var catalog = new CatalogOptions();
        var rebuild = new Command("rebuild", "Index every job folder under --out into the catalog; jobs whose folders are gone are marked so")
        {
            roots,
        };
        catalog.AddTo(rebuild);
        rebuild.SetAction(parse => Guard.Wrap(error, () =>
        {
            var target = catalog.Required(parse);
            var folders = JobRoots.Read(parse, roots);
            foreach (var missing in folders.Where(f => !Directory.Exists(f)))
                error.WriteLine($"waybill: {PipelineExecution.Relative(missing)} does not exist: no job folders there");
            var rebuiltOnOpen = false;
            using var store = CatalogStore.Open(target, folders, message =>
            {
                rebuiltOnOpen = true;
                error.WriteLine($"waybill: {message}");
            }, TimeProvider.System);
            var result = rebuiltOnOpen ? null : store.Rebuild(folders);
            foreach (var problem in result?.Unreadable ?? []) error.WriteLine($"waybill: not indexed: {problem}");
            output.WriteLine(result is null
                ? $"Catalog {target.Display}: rebuilt"
                : $"Catalog {target.Display}: {result.Describe()} indexed in {result.Took.TotalSeconds:0.00}s");
            return ExitCodes.Success;
        }));
        var command = new Command("catalog", "The catalog across jobs (SQLite or PostgreSQL) behind 'waybill jobs' and 'waybill query'") { rebuild };
        return command;
    }
}
