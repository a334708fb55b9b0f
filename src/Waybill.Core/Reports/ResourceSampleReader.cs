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
        var thinner = new CurveThinner();
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
            thinner.Add(row);
        }
        var curves = thinner.Curves();
        if (curves.Rows == 0)
        {
            problem = $"no samples: {info.Name} has no rows";
            return null;
        }
        return curves;
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
}
