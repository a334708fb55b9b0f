using System.Text.Json.Nodes;

namespace Waybill.Core.Pipeline.Limits;

/// <summary>
/// Holds config that did not come through the file loader (a C# pipeline, <c>--set a.b.c…</c>) to the same depth limit,
/// before any of the recursive code that clones, masks, hashes and writes config into manifests sees it.
/// </summary>
public static class ConfigDepth
{
    /// <summary>Levels of the pipeline's config mapping and of a stage's, as the file nests them.</summary>
    private const int PipelineConfigLevel = 2;
    private const int StageConfigLevel = 4;

    public static List<PipelineError> Problems(PipelineDefinition pipeline, PipelineLimits limits)
    {
        var errors = new List<PipelineError>();
        if (Deepest(pipeline.Config, PipelineConfigLevel, limits.MaxDepth) is { } path)
            errors.Add(Refusal("config", path, null, limits));
        foreach (var stage in pipeline.Stages)
            if (Deepest(stage.Config, StageConfigLevel, limits.MaxDepth) is { } stagePath)
                errors.Add(Refusal($"{stage.Id}.config", stagePath, stage.Location, limits));
        return errors;
    }

    private static PipelineError Refusal(string field, string path, SourceLocation? at, PipelineLimits limits) =>
        new($"config nests more than {limits.MaxDepth} levels deep (at {path})", at, field,
            PipelineLimits.RaiseHint(PipelineLimits.DepthVariable, "nest less", PipelineLimits.DepthCeiling));

    /// <summary>The dotted path of the first value nested past <paramref name="maxDepth"/>, or null. A loop, not recursion.</summary>
    private static string? Deepest(JsonObject config, int level, int maxDepth)
    {
        var pending = new Stack<(JsonNode Node, int Level, string Path)>();
        pending.Push((config, level, ""));
        while (pending.Count > 0)
        {
            var (node, depth, path) = pending.Pop();
            if (depth > maxDepth) return path.Length <= 80 ? path : path[..77] + "…";
            if (node is JsonObject obj)
            {
                foreach (var (key, child) in obj)
                {
                    if (child is JsonObject or JsonArray)
                        pending.Push((child, depth + 1, path.Length > 80 ? path : path.Length == 0 ? key : path + "." + key));
                }
            }
            else if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                    if (array[i] is JsonObject or JsonArray) pending.Push((array[i]!, depth + 1, path.Length > 80 ? path : $"{path}[{i}]"));
            }
        }
        return null;
    }
}
