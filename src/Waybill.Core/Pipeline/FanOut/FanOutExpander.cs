using Waybill.Core.Pipeline.Limits;

namespace Waybill.Core.Pipeline.FanOut;

/// <summary>
/// Turns fan-out stages into their item runs: <c>06_asr</c> over three videos becomes <c>06_asr[ep-01]</c>, … each reading
/// the same item of the stages before it; a gather reads every item. Files and values are expanded when the pipeline is
/// loaded; lines and JSON of an upstream output when that stage has run (<see cref="ExpandDynamic"/>), until then the
/// stage stays in the pipeline as a template that stands for all its items.
/// </summary>
public static class FanOutExpander
{
    /// <summary>The name of the input a <c>files:</c> item adds: the file, checksummed like any input.</summary>
    public const string ItemInput = "item";

    /// <summary>An input path that is the item's file: the stage reads it under its own input name instead of <c>item</c>.</summary>
    public const string ItemPathPlaceholder = "{item.path}";

    public static PipelineDefinition Expand(PipelineDefinition pipeline, PipelineLimits limits)
    {
        var errors = new List<PipelineError>();
        if (!pipeline.Stages.Any(s => s.Foreach is not null || s.Inputs.Any(i => i.Gather || ReadsItem(i))))
        {
            // No fan-out, but {item.key} in a stage that runs once is still an error here, not at run time.
            FanOutChecks.Check(pipeline, new Dictionary<string, string>(StringComparer.Ordinal), errors);
            return errors.Count > 0 ? throw new PipelineInvalidException(errors) : pipeline;
        }
        var roots = FanOutRoots.Resolve(pipeline, errors);
        FanOutChecks.Check(pipeline, roots, errors);
        if (errors.Count > 0) throw new PipelineInvalidException(errors);
        var items = new Dictionary<string, List<FanOutItem>>(StringComparer.Ordinal);
        foreach (var stage in pipeline.Stages.Where(s => s.Foreach is { IsDynamic: false }))
            items[stage.Id] = StaticItems.Of(pipeline, stage, limits, errors);
        if (errors.Count > 0) throw new PipelineInvalidException(errors);

        var stages = new List<StageDefinition>(pipeline.Stages.Count + items.Values.Sum(l => l.Count) * 2);
        foreach (var stage in pipeline.Stages)
        {
            var root = roots.GetValueOrDefault(stage.Id);
            var spec = root is null ? null : pipeline.Find(root)!.Foreach;
            if (root is not null && items.TryGetValue(root, out var list))
                foreach (var item in list) stages.Add(ForItem(pipeline, stage, spec!, root, item, roots, items));
            else stages.Add(stage.Rewired(stage.Id, Inputs(pipeline, stage, null, roots, items), After(pipeline, stage, null, roots, items), spec, root, null));
        }
        return pipeline.WithStages(stages);
    }

    /// <summary>
    /// The item runs of a dynamic fan-out, once <paramref name="rootId"/>'s items are known: for the root and every stage
    /// that follows it per item; and the stages that gather them, rewired to read every item.
    /// </summary>
    public static (PipelineDefinition Pipeline, List<StageDefinition> Added, List<StageDefinition> Rewired) ExpandDynamic(
        PipelineDefinition pipeline, string rootId, IReadOnlyList<FanOutItem> list)
    {
        var roots = pipeline.Stages.Where(s => s.FanOutRoot is not null && s.Item is null)
            .ToDictionary(s => s.Id, s => s.FanOutRoot!, StringComparer.Ordinal);
        var items = new Dictionary<string, List<FanOutItem>>(StringComparer.Ordinal) { [rootId] = [.. list] };
        var spec = pipeline.Find(rootId)!.Foreach!;
        var added = new List<StageDefinition>();
        var rewired = new List<StageDefinition>();
        var stages = new List<StageDefinition>(pipeline.Stages.Count + list.Count * 2);
        foreach (var stage in pipeline.Stages)
        {
            if (stage.Item is null && stage.FanOutRoot == rootId)
            {
                stages.Add(stage);
                foreach (var item in list)
                {
                    var run = ForItem(pipeline, stage, spec, rootId, item, roots, items);
                    added.Add(run);
                    stages.Add(run);
                }
            }
            else if (stage.Inputs.Any(i => i.Gather && roots.GetValueOrDefault(pipeline.Find(i.FromStage!)!.Id) == rootId))
            {
                var wired = stage.Rewired(stage.Id, Inputs(pipeline, stage, null, roots, items), stage.After, stage.Foreach, stage.FanOutRoot, stage.Item);
                rewired.Add(wired);
                stages.Add(wired);
            }
            else stages.Add(stage);
        }
        return (pipeline.WithStages(stages), added, rewired);
    }

    private static StageDefinition ForItem(PipelineDefinition pipeline, StageDefinition stage, ForeachSpec spec, string root, FanOutItem item,
        Dictionary<string, string> roots, Dictionary<string, List<FanOutItem>> items)
    {
        var inputs = Inputs(pipeline, stage, item, roots, items);
        // A stage that declares the item's file as an input of its own (path: "{item.path}") reads it under that name.
        if (item.Path is not null && !stage.Inputs.Any(i => i.ExternalPath == ItemPathPlaceholder))
            inputs.Insert(0, new InputDeclaration(ItemInput, null, null, item.Path, null, null, spec.Location) { PathIsFinal = true });
        return stage.Rewired(ItemKeys.RunId(stage.Id, item.Key), inputs, After(pipeline, stage, item, roots, items), spec, root, item);
    }

    /// <summary>Per-item inputs read the same item upstream; a gather over known items becomes one input per item.</summary>
    private static List<InputDeclaration> Inputs(PipelineDefinition pipeline, StageDefinition stage, FanOutItem? item,
        Dictionary<string, string> roots, Dictionary<string, List<FanOutItem>> items)
    {
        var result = new List<InputDeclaration>(stage.Inputs.Count);
        foreach (var input in stage.Inputs)
        {
            var producer = input.FromStage is null ? null : pipeline.Find(input.FromStage);
            var producerRoot = producer is null ? null : roots.GetValueOrDefault(producer.Id);
            if (producer is null && item is not null && input.ExternalPath!.Contains('{', StringComparison.Ordinal))
            {
                // One pass for {config.*} and {item.*}: a file name or value that holds a placeholder's text stays text.
                var config = pipeline.ConfigFor(stage);
                var path = Placeholders.ExpandRaw(input.ExternalPath!, (scope, key) => scope switch
                {
                    "item" => item.Field(key),
                    "config" => Placeholders.Lookup(config, key) is { } node ? Placeholders.ConfigText(node) : null,
                    _ => null,
                });
                result.Add(input with { ExternalPath = path, PathIsFinal = true });
            }
            else if (producer is null || producerRoot is null) result.Add(input);
            else if (input.Gather && items.TryGetValue(producerRoot, out var all) && all.Count == 0)
                result.Add(input with { FromStage = null }); // an empty fan-out (allow_empty): a gather of no files, {in.all} is no word
            else if (input.Gather && items.TryGetValue(producerRoot, out all))
                result.AddRange(all.Select(i => input with
                {
                    Name = ItemKeys.RunId(input.Name, i.Key), FromStage = ItemKeys.RunId(producer.Id, i.Key), Gather = false, GatherName = input.Name,
                }));
            else if (!input.Gather && item is not null) result.Add(input with { FromStage = ItemKeys.RunId(producer.Id, item.Key) });
            else result.Add(input);
        }
        return result;
    }

    private static bool ReadsItem(InputDeclaration input) => input.ExternalPath?.Contains("{item.", StringComparison.Ordinal) == true;


    /// <summary><c>after:</c> a fan-out waits for all its items (the same item, for a stage of the same fan-out).</summary>
    private static List<string> After(PipelineDefinition pipeline, StageDefinition stage, FanOutItem? item,
        Dictionary<string, string> roots, Dictionary<string, List<FanOutItem>> items)
    {
        var result = new List<string>(stage.After.Count);
        foreach (var name in stage.After)
        {
            var other = pipeline.Find(name);
            var otherRoot = other is null ? null : roots.GetValueOrDefault(other.Id);
            if (other is null || otherRoot is null || !items.TryGetValue(otherRoot, out var all)) result.Add(name);
            else if (item is not null && otherRoot == roots.GetValueOrDefault(stage.Id)) result.Add(ItemKeys.RunId(other.Id, item.Key));
            else result.AddRange(all.Select(i => ItemKeys.RunId(other.Id, i.Key)));
        }
        return result;
    }
}
