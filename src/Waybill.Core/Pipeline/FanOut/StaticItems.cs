using Microsoft.Extensions.FileSystemGlobbing;
using Waybill.Core.Pipeline.Limits;

namespace Waybill.Core.Pipeline.FanOut;

/// <summary>The items of a fan-out known when the pipeline is loaded: files matching a glob, or listed values.</summary>
internal static class StaticItems
{
    public static List<FanOutItem> Of(PipelineDefinition pipeline, StageDefinition stage, PipelineLimits limits, List<PipelineError> errors)
    {
        var spec = stage.Foreach!;
        var field = $"{stage.Id}.foreach.{(spec.Kind == ForeachKind.Files ? "files" : "values")}";
        List<ItemList.Raw> raw;
        if (spec.Kind == ForeachKind.Values)
            raw = [.. spec.Values.Select(v => new ItemList.Raw(KeySource(v), Placeholders.ConfigText(v), null))];
        else if (Files(pipeline, stage, field, errors) is { } files) raw = files;
        else return [];
        if (raw.Count == 0 && !spec.AllowEmpty)
        {
            errors.Add(new PipelineError(spec.Kind != ForeachKind.Files ? "foreach.values is an empty list"
                    : spec.Pattern is null ? "foreach.files is an empty list"
                    : $"foreach.files '{spec.Pattern}' matches no file (looked in {pipeline.BaseDirectory})",
                spec.Location, field, spec.Kind == ForeachKind.Files
                    ? "fix the pattern or add 'allow_empty: true' to run no item"
                    : "list at least one value or add 'allow_empty: true' to run no item"));
            return [];
        }
        var (items, problem, hint) = ItemList.Key(raw, $"{stage.Id} foreach", limits);
        if (problem is not null) errors.Add(new PipelineError(problem, spec.Location, field, hint));
        return items;
    }

    /// <summary>The files of every entry of <c>files:</c>, each once, in order; null after an error.</summary>
    private static List<ItemList.Raw>? Files(PipelineDefinition pipeline, StageDefinition stage, string field, List<PipelineError> errors)
    {
        var spec = stage.Foreach!;
        var raw = new List<ItemList.Raw>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var failed = false;
        foreach (var entry in spec.FileEntries)
        {
            var matched = 0;
            foreach (var path in Matches(pipeline.BaseDirectory, entry))
            {
                matched++;
                // .NET reads a name that is not UTF-8 with U+FFFD in place of the bytes, and could not open the file by it.
                if (path.Contains('\uFFFD', StringComparison.Ordinal))
                {
                    errors.Add(new PipelineError($"'{ItemList.Printable(path)}' matches {entry} but its name is not valid UTF-8",
                        spec.Location, field, "rename the file (e.g. with convmv) or narrow the glob"));
                    return null;
                }
                if (seen.Add(path))
                    raw.Add(new ItemList.Raw(Path.GetFileNameWithoutExtension(path), Path.GetRelativePath(pipeline.BaseDirectory, path), path));
            }
            // In a list each entry was named on purpose: one that finds nothing is a typo or a file gone.
            if (matched == 0 && spec.Pattern is null && !spec.AllowEmpty)
            {
                errors.Add(new PipelineError(
                    $"foreach.files entry '{ItemList.Printable(entry)}' matches no file (looked in {pipeline.BaseDirectory})",
                    spec.Location, field, "fix or remove the entry, or add 'allow_empty: true' to run without it"));
                failed = true;
            }
        }
        return failed ? null : raw;
    }

    /// <summary>An entry naming an existing file is that file, even when its name holds '*' or '[': else it is a glob.</summary>
    private static IEnumerable<string> Matches(string baseDirectory, string entry)
    {
        var full = Path.GetFullPath(entry, baseDirectory);
        return File.Exists(full) ? [full] : Glob(baseDirectory, entry);
    }

    /// <summary>A value's key: its text, or the <c>key</c> of a mapping.</summary>
    private static string KeySource(System.Text.Json.Nodes.JsonNode? value) =>
        value is System.Text.Json.Nodes.JsonObject map && map["key"] is { } key ? Placeholders.ConfigText(key) : Placeholders.ConfigText(value);

    /// <summary>Files (never folders) matching the glob, sorted; relative globs are read from the pipeline file's folder.</summary>
    internal static IEnumerable<string> Glob(string baseDirectory, string pattern)
    {
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern);
        // The folder to search from: the part of the path before its first wildcard.
        var wildcard = full.IndexOfAny(['*', '?', '[', '{']);
        var root = wildcard < 0 ? Path.GetDirectoryName(full)! : full[..(full.LastIndexOf('/', wildcard) + 1)];
        if (!Directory.Exists(root)) return [];
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(Path.GetRelativePath(root, full));
        return matcher.GetResultsInFullPath(root).Order(StringComparer.Ordinal);
    }
}
