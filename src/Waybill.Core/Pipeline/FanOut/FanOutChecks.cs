using Waybill.Core.Pipeline.ShellQuoting;

namespace Waybill.Core.Pipeline.FanOut;

/// <summary>
/// What only a fan-out may say: <c>{item.key}</c>, <c>{item.value}</c> and <c>{item.path}</c> in a stage that runs per
/// item, <c>{item.path}</c> for files only, and a gather's <c>{in.all}</c> only where it can stand for many words.
/// </summary>
internal static class FanOutChecks
{
    public static void Check(PipelineDefinition pipeline, Dictionary<string, string> roots, List<PipelineError> errors)
    {
        foreach (var stage in pipeline.Stages)
        {
            var root = roots.GetValueOrDefault(stage.Id);
            var spec = root is null ? null : pipeline.Find(root)!.Foreach;
            if (spec?.Kind == ForeachKind.Files && stage.Inputs.Any(i => i.Name == FanOutExpander.ItemInput))
                errors.Add(new PipelineError($"input name '{FanOutExpander.ItemInput}' is taken by the file of each item", stage.Location,
                    $"{stage.Id}.inputs.{FanOutExpander.ItemInput}", "rename the input; {item.path} is the item's file"));
            foreach (var input in stage.Inputs.Where(i => i.ExternalPath is not null))
                foreach (var reference in Placeholders.Find(input.ExternalPath!).Where(r => r.Scope == "item"))
                    if (ItemProblem(spec, reference.Key) is { } problem)
                        errors.Add(new PipelineError(problem, input.Location ?? stage.Location, $"{stage.Id}.inputs.{input.Name}", ItemHint(spec)));
            if (stage.Command is not { } command) continue;
            foreach (var reference in Placeholders.Find(command).Where(r => r.Scope == "item"))
                if (ItemProblem(spec, reference.Key) is { } problem)
                    errors.Add(new PipelineError(problem, stage.CommandLocation ?? stage.Location, $"{stage.Id}.run", ItemHint(spec)));
            var template = Placeholders.Template(command);
            foreach (var slot in template.Slots.Where(s => s.Context != ShellContext.Unquoted && s.IsSafe))
            {
                var name = slot.Text[1..^1];
                if (!name.StartsWith("in.", StringComparison.Ordinal)) continue;
                if (stage.Inputs.FirstOrDefault(i => i.Name == name[3..]) is { Gather: true } gather)
                    errors.Add(new PipelineError($"placeholder {slot.Text} stands for every file of the gather '{gather.Name}', so it cannot be quoted",
                        stage.CommandLocation ?? stage.Location, $"{stage.Id}.run",
                        $"write it unquoted (each path is quoted for you), or use {{in.{gather.Name}.list}}, a file listing the paths"));
            }
        }
    }

    /// <summary>What is wrong with <c>{item.<paramref name="key"/>}</c> in a stage of the fan-out <paramref name="spec"/> (null: none).</summary>
    private static string? ItemProblem(ForeachSpec? spec, string key) =>
        spec is null ? $"placeholder {{item.{key}}} is only known in a stage that runs per item"
        : Array.IndexOf(FanOutItem.Fields, key) < 0 ? $"unknown placeholder {{item.{key}}}; known: {{item.key}}, {{item.value}}, {{item.path}}"
        : key == "path" && spec.Kind != ForeachKind.Files ? $"{{item.path}} is only known for 'foreach: {{ files: … }}' (this is {spec.Describe()})"
        : null;

    private static string? ItemHint(ForeachSpec? spec) =>
        spec is null ? "add 'foreach:' to the stage, or read a per-item output of a fan-out stage" : null;
}