using System.Globalization;

namespace Waybill.Core.Reports;

/// <summary>
/// Reads a stage's <c>resource_samples.tsv</c> (docs/manifest.md, <c>resources.samples</c>): a header line naming the
/// columns, then one tab-separated row per interval; an empty cell is a figure that was not available. Columns are
/// found by name, so a file with more (or fewer) columns still reads. Bounded by <see cref="ReportLimits.SamplesFileBytes"/>.
/// </summary>
internal static class ResourceSampleReader
{
    private static readonly string[] Columns = Manifests.ResourceSamples.FileHeader.Split('\t');

    /// <summary>The curves, or null with the reason why none can be drawn.</summary>
    public static ResourceCurves? Read(string path, out string? problem)
    {
        problem = null;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            problem = $"no samples: the manifest names {info.Name}, which is not there";
            return null;
        }
        if (info.Length > ReportLimits.SamplesFileBytes)
        {
            problem = $"samples not drawn: {info.Name} is {info.Length:N0} bytes, more than the report reads ({ReportLimits.SamplesFileBytes:N0})";
            return null;
        }
        var rows = new List<double?[]>();
        int[]? at = null;
        var number = 0;
        foreach (var line in BoundedLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            var cells = line.Split('\t');
            if (at is null)
            {
                at = [.. Columns.Select(name => Array.IndexOf(cells, name))];
                if (at[0] < 0)
                {
                    problem = $"samples not drawn: {info.Name} line 1 has no elapsed_seconds column";
                    return null;
                }
                continue;
            }
            var row = new double?[Columns.Length];
            for (var c = 0; c < Columns.Length; c++)
            {
                if (at[c] < 0 || at[c] >= cells.Length || cells[at[c]].Length == 0) continue;
                if (!double.TryParse(cells[at[c]], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                {
                    problem = $"samples not drawn: {info.Name} line {number}, column {Columns[c]}: '{Cut(cells[at[c]])}' is not a number";
                    return null;
                }
                row[c] = value;
            }
            if (row[0] is null)
            {
                problem = $"samples not drawn: {info.Name} line {number} has no elapsed_seconds";
                return null;
            }
            rows.Add(row);
        }
        if (rows.Count == 0)
        {
            problem = $"no samples: {info.Name} has no rows";
            return null;
        }
        return Thin(rows);
    }

    /// <summary>
    /// The file's lines up to <see cref="ReportLimits.SamplesFileBytes"/>: a stage still running appends rows after the
    /// size was checked, and what it adds meanwhile is left for the next report rather than read without end.
    /// </summary>
    private static IEnumerable<string> BoundedLines(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        // The file is ASCII: a character read is a byte.
        long read = 0;
        while (reader.ReadLine() is { } line)
        {
            read += line.Length + 1;
            if (read > ReportLimits.SamplesFileBytes) yield break;
            yield return line;
        }
    }

    private static string Cut(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>
    /// Cumulative byte counters become rates; then neighbouring rows are averaged down to at most <see cref="ReportLimits.CurvePoints"/>.
    /// </summary>
    private static ResourceCurves Thin(List<double?[]> rows)
    {
        var rates = new (double? Read, double? Write)[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var (t0, read0, write0) = i == 0 ? (0d, (double?)0, (double?)0) : (rows[i - 1][0]!.Value, rows[i - 1][3], rows[i - 1][4]);
            var span = rows[i][0]!.Value - t0;
            rates[i] = (Rate(read0, rows[i][3], span), Rate(write0, rows[i][4], span));
        }
        var curves = new ResourceCurves { Rows = rows.Count };
        var bucket = (rows.Count + ReportLimits.CurvePoints - 1) / ReportLimits.CurvePoints;
        for (var from = 0; from < rows.Count; from += bucket)
        {
            var to = Math.Min(rows.Count, from + bucket);
            curves.Elapsed.Add(rows[to - 1][0]!.Value);
            curves.CpuPercent.Add(Mean(rows, from, to, r => r[1]));
            curves.RssMb.Add(Mean(rows, from, to, r => r[2]));
            curves.ReadRate.Add(Mean(rates, from, to, r => r.Read));
            curves.WriteRate.Add(Mean(rates, from, to, r => r.Write));
            curves.GpuPercent.Add(Mean(rows, from, to, r => r[5]));
            curves.GpuMemoryMb.Add(Mean(rows, from, to, r => r[6]));
        }
        return curves;
    }

    private static double? Rate(double? before, double? now, double seconds) =>
        before is { } b && now is { } n && seconds > 0 ? Math.Max(0, n - b) / seconds : null;

    private static double? Mean<T>(IReadOnlyList<T> rows, int from, int to, Func<T, double?> pick)
    {
        double sum = 0;
        var count = 0;
        for (var i = from; i < to; i++)
        {
            if (pick(rows[i]) is not { } value) continue;
            sum += value;
            count++;
        }
        return count == 0 ? null : sum / count;
    }
}
