using System.Text;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Glossary;

/// <summary>A glossary row that could not be used, with where it is (<c>file:line</c>) and why.</summary>
public sealed record GlossaryProblem(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>What a user glossary file held: its format, the usable terms and the rows that were skipped.</summary>
public sealed record GlossaryFile(string Format, IReadOnlyList<GlossaryTerm> Terms, IReadOnlyList<GlossaryProblem> Problems, bool HasHeader);

/// <summary>
/// Reads a user glossary: TSV or CSV (chosen by extension, otherwise by the first data line), columns
/// <c>term[,translation[,kind]]</c>, <c>#</c> comment lines, an optional header row. A bad row is reported and
/// skipped so that one typo does not cost the whole glossary. CSV follows RFC 4180 within a line
/// (quoted fields, <c>""</c> for a quote); a field never spans lines, so an open quote is an error.
/// </summary>
public static class GlossaryFileReader
{
    public const string Source = "user";
    private const int MaxColumns = 3;

    /// <summary>
    /// 16 MiB: a row is a term, its translation and a kind, tens of bytes; this is some 300,000 terms, far more than the
    /// recogniser's prompt or a reader can use.
    /// </summary>
    internal const int MaxBytes = 16 << 20;

    /// <summary>64 KiB: one row is three short fields; a line this long is not a glossary row (or not a glossary file).</summary>
    internal const int MaxLineBytes = 64 << 10;

    public static GlossaryFile Read(string path, string? displayName = null)
    {
        var display = displayName ?? path;
        var lines = Waybill.Core.IO.BoundedFileRead.ReadLines(path, MaxBytes, MaxLineBytes, "glossary file",
            $"a glossary is a list of terms; split it, or point 'glossary_file' at the right file").ToArray();
        var format = FormatOf(path, lines);
        var terms = new List<GlossaryTerm>();
        var problems = new List<GlossaryProblem>();
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var header = false;
        var firstRow = true;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var number = i + 1;
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            var fields = format == "tsv" ? [.. line.Split('\t')] : SplitCsv(line);
            if (fields is null)
            {
                problems.Add(new(display, number, "unbalanced quotes: a quoted CSV field must end on the same line with \""));
                continue;
            }
            var values = fields.Select(f => f.Trim()).ToList();
            while (values.Count > 1 && values[^1].Length == 0) values.RemoveAt(values.Count - 1); // trailing separators
            if (firstRow)
            {
                firstRow = false;
                if (IsHeader(values))
                {
                    header = true;
                    continue;
                }
            }
            if (values.Count > MaxColumns)
            {
                problems.Add(new(display, number, $"{values.Count} columns, expected at most {MaxColumns} (term, translation, kind){(format == "csv" ? "; quote a field that contains a comma" : "")}"));
                continue;
            }
            if (values[0].Length == 0)
            {
                problems.Add(new(display, number, "empty term"));
                continue;
            }
            if (seen.TryGetValue(values[0], out var earlier))
            {
                problems.Add(new(display, number, $"duplicate term '{values[0]}' (first given on line {earlier}); this row is ignored"));
                continue;
            }
            seen[values[0]] = number;
            var translation = values.Count > 1 && values[1].Length > 0 ? values[1] : null;
            var kind = values.Count > 2 && values[2].Length > 0 ? values[2] : null;
            terms.Add(new GlossaryTerm(values[0], translation, Source, kind));
        }
        return new GlossaryFile(format, terms, problems, header);
    }

    /// <summary><c>.tsv</c>/<c>.tab</c> and <c>.csv</c> decide; otherwise a tab in the first data line means TSV, a comma CSV.</summary>
    internal static string FormatOf(string path, IEnumerable<string> lines)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".tsv" or ".tab") return "tsv";
        if (extension == ".csv") return "csv";
        var first = lines.FirstOrDefault(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        if (first is null || first.Contains('\t')) return "tsv";
        return first.Contains(',') ? "csv" : "tsv";
    }

    private static bool IsHeader(List<string> values) =>
        values[0].Equals("term", StringComparison.OrdinalIgnoreCase)
        && (values.Count < 2 || values[1].Equals("translation", StringComparison.OrdinalIgnoreCase));

    /// <summary>One CSV line into fields; null when a quoted field is not closed.</summary>
    internal static List<string>? SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            while (i < line.Length && line[i] is ' ' or '\t') i++;
            if (i < line.Length && line[i] == '"')
            {
                i++;
                var closed = false;
                while (i < line.Length)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        closed = true;
                        i++;
                        break;
                    }
                    field.Append(line[i++]);
                }
                if (!closed) return null;
                while (i < line.Length && line[i] is ' ' or '\t') i++;
                // Text after the closing quote other than the separator is a stray quote.
                if (i < line.Length && line[i] != ',') return null;
            }
            else
            {
                // Quotes inside an unquoted field are kept as written (hand-made files do this) when they pair up.
                var quotes = 0;
                while (i < line.Length && line[i] != ',')
                {
                    if (line[i] == '"') quotes++;
                    field.Append(line[i++]);
                }
                if (quotes % 2 == 1) return null;
            }
            fields.Add(field.ToString());
            if (i >= line.Length) return fields;
            i++; // the comma
        }
    }
}
