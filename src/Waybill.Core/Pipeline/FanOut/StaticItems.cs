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
        else
        {
            raw = [];
            foreach (var path in Glob(pipeline.BaseDirectory, spec.Pattern!))
            {
                // .NET reads a name that is not UTF-8 with U+FFFD in place of the bytes, and could not open the file by it.
                if (path.Contains('\uFFFD', StringComparison.Ordinal))
                {
                    errors.Add(new PipelineError($"'{ItemList.Printable(path)}' matches {spec.Pattern} but its name is not valid UTF-8",
                        spec.Location, field, "rename the file (e.g. with convmv) or narrow the glob"));
                    return [];
                }
                raw.Add(new ItemList.Raw(Path.GetFileNameWithoutExtension(path), Path.GetRelativePath(pipeline.BaseDirectory, path), path));
            }
        }
        if (raw.Count == 0 && !spec.AllowEmpty)
        {
            errors.Add(new PipelineError(spec.Kind == ForeachKind.Files
                    ? $"foreach.files '{spec.Pattern}' matches no file (looked in {pipeline.BaseDirectory})"
                    : "foreach.values is an empty list",
                spec.Location, field, "fix the pattern or add 'allow_empty: true' to run no item"));
            return [];
        }
        var (items, problem, hint) = ItemList.Key(raw, $"{stage.Id} foreach", limits);
        if (problem is not null) errors.Add(new PipelineError(problem, spec.Location, field, hint));
        return items;
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
