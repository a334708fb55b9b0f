namespace Waybill.Core.Pipeline;

/// <summary>Checks a pipeline as a whole: unique ids and numbers, known references, no cycles, safe output paths, declared placeholders.</summary>
public static class PipelineValidator
{
    public static void ThrowIfInvalid(PipelineDefinition pipeline)
    {
        var errors = Validate(pipeline);
        if (errors.Count > 0) throw new PipelineInvalidException(errors);
    }

    public static List<PipelineError> Validate(PipelineDefinition pipeline)
    {
        // Config deeper than the limit is refused first: the checks below clone and walk config recursively.
        var errors = Limits.ConfigDepth.Problems(pipeline, Limits.PipelineLimits.FromEnvironment());
        if (errors.Count > 0) return errors;
        if (pipeline.Stages.Count == 0) errors.Add(new PipelineError("the pipeline has no stages", null, "stages"));

        foreach (var group in pipeline.Stages.GroupBy(s => s.Id).Where(g => g.Count() > 1))
            errors.Add(new PipelineError($"duplicate stage id '{group.Key}'", group.Skip(1).First().Location, group.Key, "every stage needs its own NN_name"));
        // The item runs of one fan-out share its number and name.
        foreach (var group in pipeline.Stages.GroupBy(s => s.Number).Where(g => g.Count() > 1 && g.Select(s => s.BaseId).Distinct().Count() > 1))
            errors.Add(new PipelineError($"stages {string.Join(" and ", group.Select(s => s.BaseId).Distinct())} share the number {group.Key:00}", group.Skip(1).First().Location, group.Skip(1).First().Id, "give each stage its own number"));
        foreach (var group in pipeline.Stages.GroupBy(s => s.Name).Where(g => g.Count() > 1 && g.Select(s => s.BaseId).Distinct().Count() > 1))
            errors.Add(new PipelineError($"stages {string.Join(" and ", group.Select(s => s.BaseId).Distinct())} share the name '{group.Key}'", group.Skip(1).First().Location, group.Skip(1).First().Id, "log lines and commands name stages by name: make names unique"));

        var byId = pipeline.Stages.GroupBy(s => s.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var stage in pipeline.Stages)
        {
            CheckStage(pipeline, stage, byId, errors);
        }
        if (errors.Count == 0 && FindCycle(pipeline.Stages) is { } cycle)
            errors.Add(new PipelineError($"the stages form a cycle: {string.Join(" → ", cycle)}", byId[cycle[0]].Location, cycle[0], "a stage cannot depend on itself through its inputs or 'after'"));
        return errors;
    }

    private static void CheckStage(PipelineDefinition pipeline, StageDefinition stage, Dictionary<string, StageDefinition> byId, List<PipelineError> errors)
    {
        foreach (var input in stage.Inputs)
        {
            if (input.FromStage is null) continue;
            var producer = byId.GetValueOrDefault(input.FromStage) ?? pipeline.Find(input.FromStage);
            if (producer is null)
                errors.Add(new PipelineError($"input '{input.Name}' comes from unknown stage '{input.FromStage}'", input.Location ?? stage.Location, $"{stage.Id}.inputs.{input.Name}", $"stages are: {string.Join(", ", byId.Keys)}"));
            else if (producer.Outputs.All(o => o.Name != input.FromOutput))
                errors.Add(new PipelineError($"input '{input.Name}' names output '{input.FromOutput}' that stage {producer.Id} does not declare", input.Location ?? stage.Location, $"{stage.Id}.inputs.{input.Name}", producer.Outputs.Count == 0 ? $"{producer.Id} declares no outputs" : $"{producer.Id} declares: {string.Join(", ", producer.Outputs.Select(o => o.Name))}"));
        }
        if (stage.Foreach is { IsDynamic: true } spec && stage.Item is null)
        {
            var source = byId.GetValueOrDefault(spec.FromStage!) ?? pipeline.Find(spec.FromStage!);
            if (source is null)
                errors.Add(new PipelineError($"foreach reads unknown stage '{spec.FromStage}'", spec.Location ?? stage.Location, $"{stage.Id}.foreach", $"stages are: {string.Join(", ", byId.Keys)}"));
            else if (source.Outputs.All(o => o.Name != spec.FromOutput))
                errors.Add(new PipelineError($"foreach reads output '{spec.FromOutput}' that stage {source.Id} does not declare", spec.Location ?? stage.Location, $"{stage.Id}.foreach", source.Outputs.Count == 0 ? $"{source.Id} declares no outputs" : $"{source.Id} declares: {string.Join(", ", source.Outputs.Select(o => o.Name))}"));
        }
        foreach (var after in stage.After)
            if (!byId.ContainsKey(after) && pipeline.Find(after) is null)
                errors.Add(new PipelineError($"'after' names unknown stage '{after}'", stage.Location, $"{stage.Id}.after"));
        foreach (var group in stage.Inputs.GroupBy(i => i.Name).Where(g => g.Count() > 1))
            errors.Add(new PipelineError($"input name '{group.Key}' is declared twice", stage.Location, $"{stage.Id}.inputs"));
        foreach (var group in stage.Outputs.GroupBy(o => o.Path).Where(g => g.Count() > 1))
            errors.Add(new PipelineError($"outputs {string.Join(" and ", group.Select(o => o.Name))} share the path '{group.Key}'", stage.Location, $"{stage.Id}.outputs", "each output needs its own file"));
        foreach (var output in stage.Outputs)
            if (OutputPathRules.Check(stage, output) is { } refused) errors.Add(refused);
        if (stage.Command is { } command)
        {
            var config = pipeline.ConfigFor(stage);
            foreach (var reference in Placeholders.Find(command))
            {
                var error = reference.Scope switch
                {
                    "in" when !DeclaresInput(stage, reference.Key) => $"placeholder {{in.{reference.Key}}} names an undeclared input" + Declared("inputs", stage.Inputs.Select(i => i.Name)),
                    "out" when stage.Outputs.All(o => o.Name != reference.Key) => $"placeholder {{out.{reference.Key}}} names an undeclared output" + Declared("outputs", stage.Outputs.Select(o => o.Name)),
                    "config" when !Placeholders.Has(config, reference.Key) => $"placeholder {{config.{reference.Key}}} names no config value" + Declared("config keys", config.Select(kv => kv.Key)),
                    "stage" when reference.Key is not ("dir" or "id" or "name" or "cache") => $"unknown placeholder {{stage.{reference.Key}}}; known: {{stage.dir}}, {{stage.id}}, {{stage.name}}, {{stage.cache}}",
                    "job" when reference.Key is not ("dir" or "id") => $"unknown placeholder {{job.{reference.Key}}}; known: {{job.dir}}, {{job.id}}",
                    _ => null,
                };
                if (error is not null) errors.Add(new PipelineError(error, stage.Location, $"{stage.Id}.run"));
            }
            errors.AddRange(PlaceholderQuotingCheck.Check(pipeline, stage));
        }
    }

    /// <summary>An input by name; a gather also answers to <c>{in.all.list}</c>, and its item inputs to <c>{in.all}</c>.</summary>
    private static bool DeclaresInput(StageDefinition stage, string key)
    {
        var gather = key.EndsWith(".list", StringComparison.Ordinal) ? key[..^5] : key;
        return stage.Inputs.Any(i => i.Name == key || ((i.Gather && i.Name == gather) || i.GatherName == gather));
    }

    private static string Declared(string what, IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? $"; the stage declares no {what}" : $"; declared {what}: {string.Join(", ", list)}";
    }

    /// <summary>Null when the path stays inside the stage folder.</summary>
    public static string? OutputPathProblem(string path) => OutputPathRules.Problem(path);

    /// <summary>The stages of one cycle in order, first repeated at the end; null when the graph is a DAG.</summary>
    public static List<string>? FindCycle(IReadOnlyList<StageDefinition> stages)
    {
        var byKey = new Dictionary<string, StageDefinition>(StringComparer.Ordinal);
        foreach (var s in stages) { byKey.TryAdd(s.Id, s); byKey.TryAdd(s.Name, s); }
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();
        foreach (var stage in stages)
            if (Visit(stage) is { } cycle) return cycle;
        return null;

        List<string>? Visit(StageDefinition stage)
        {
            if (state.GetValueOrDefault(stage.Id) == 2) return null;
            if (state.GetValueOrDefault(stage.Id) == 1)
            {
                var start = path.IndexOf(stage.Id);
                return [.. path.Skip(start), stage.Id];
            }
            state[stage.Id] = 1;
            path.Add(stage.Id);
            foreach (var dependency in stage.DependsOn)
                if (byKey.TryGetValue(dependency, out var next) && Visit(next) is { } cycle) return cycle;
            path.RemoveAt(path.Count - 1);
            state[stage.Id] = 2;
            return null;
        }
    }
}
