using System.Data.Common;
using Waybill.Catalog;
using Waybill.Cli.Output.Rows;

namespace Waybill.Cli.Commands;

/// <summary>
/// Prints the rows of a catalog command as they are read. A row whose job folder has been deleted behind the catalog's back
/// is shown as gone, and the catalog is told so: the history stays, flagged, and nothing fails.
/// </summary>
internal static class CatalogListing
{
    public static readonly IReadOnlySet<string> HiddenInTable = new HashSet<string>(StringComparer.Ordinal) { "job_dir" };

    /// <summary>Opens the catalog for the commands that read it, rebuilding it from <paramref name="roots"/> when it must be.</summary>
    public static CatalogStore Open(CatalogTarget target, IReadOnlyList<string> roots, TextWriter error) =>
        CatalogStore.OpenForReading(target, roots, message => error.WriteLine($"waybill: {message}"), TimeProvider.System);

    public static void Print(CatalogStore store, DbCommand command, RowWriter writer, long? limit, TextWriter error, string what)
    {
        var gone = new List<string>();
        long count = 0;
        var more = false;
        using (command)
        using (var reader = command.ExecuteReader())
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var folder = columns.IndexOf("folder");
            var jobDir = columns.IndexOf("job_dir");
            writer.Begin(columns);
            string? lastDir = null;
            var lastGone = false;
            while (reader.Read())
            {
                if (limit is { } n && count >= n)
                {
                    more = true;
                    break;
                }
                var values = RowWriter.Values(reader);
                if (folder >= 0 && jobDir >= 0 && values[folder] is "present" && values[jobDir] is string dir)
                {
                    // Rows come sorted, so a job's stage runs are mostly together: one look at its folder serves them all.
                    if (!string.Equals(dir, lastDir, StringComparison.Ordinal))
                    {
                        lastDir = dir;
                        lastGone = !Directory.Exists(dir);
                        if (lastGone) gone.Add(dir);
                    }
                    if (lastGone) values[folder] = "gone";
                }
                writer.Row(values);
                count++;
            }
            writer.End();
        }
        if (gone.Count > 0)
        {
            CatalogWriter.MarkGone(store.Connection, gone.Distinct(StringComparer.Ordinal));
            error.WriteLine($"waybill: {gone.Distinct(StringComparer.Ordinal).Count()} job folder(s) no longer exist: marked gone in the catalog");
        }
        if (more) error.WriteLine($"waybill: the first {count} {what} shown; --limit N shows more, --limit 0 all");
    }
}
