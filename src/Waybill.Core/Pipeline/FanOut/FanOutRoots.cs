namespace Waybill.Core.Pipeline.FanOut;

/// <summary>
/// Which fan-out each stage runs once per item of: its own <c>foreach:</c>, or the one whose per-item output it reads
/// (the ASR of <c>episode-01</c> reads the VAD of <c>episode-01</c>). A gather (<c>[*]</c>) reads all items and runs once.
/// </summary>
internal static class FanOutRoots
{
    public static Dictionary<string, string> Resolve(PipelineDefinition pipeline, List<PipelineError> errors)
    {
        var roots = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var stage in pipeline.Stages) RootOf(stage);
        return roots.Where(r => r.Value is not null).ToDictionary(r => r.Key, r => r.Value!, StringComparer.Ordinal);

        string? RootOf(StageDefinition stage)
        {
            if (roots.TryGetValue(stage.Id, out var known)) return known;
            roots[stage.Id] = null; // a cycle was refused by validation already; this only ends the recursion
            string? inherited = null;
            InputDeclaration? inheritedBy = null;
            foreach (var input in stage.Inputs.Where(i => i.FromStage is not null))
            {
                if (pipeline.Find(input.FromStage!) is not { } producer) continue;
                var producerRoot = RootOf(producer);
                var field = $"{stage.Id}.inputs.{input.Name}";
                if (input.Gather)
                {
                    if (producerRoot is null)
                        errors.Add(new PipelineError($"input '{input.Name}' gathers {producer.Id}.{input.FromOutput}[*], but {producer.Id} does not fan out",
                            input.Location ?? stage.Location, field, $"drop the [*] to read its one output, or give {producer.Id} a 'foreach:'"));
                    continue;
                }
                if (producerRoot is null) continue;
                if (stage.Foreach is not null)
                    errors.Add(new PipelineError(
                        $"input '{input.Name}' reads {producer.Id}'s output per item, but {stage.Id} has its own 'foreach:'",
                        input.Location ?? stage.Location, field,
                        $"gather all items with {producer.Id}.{input.FromOutput}[*], or drop 'foreach:' to run once per item of {producerRoot}"));
                else if (inherited is not null && inherited != producerRoot)
                    errors.Add(new PipelineError(
                        $"input '{input.Name}' reads items of {producerRoot}, but input '{inheritedBy!.Name}' reads items of {inherited}",
                        input.Location ?? stage.Location, field, "a stage runs per item of one fan-out: gather the other with [*]"));
                else (inherited, inheritedBy) = (producerRoot, input);
            }
            if (stage.Foreach is { IsDynamic: true } spec && pipeline.Find(spec.FromStage!) is { } source && RootOf(source) is { } nested)
                errors.Add(new PipelineError($"foreach reads {spec.FromStage}.{spec.FromOutput}, which is itself per item of {nested}",
                    spec.Location ?? stage.Location, $"{stage.Id}.foreach", $"gather its items into one list first, or fan out over {nested}'s items"));
            var root = stage.Foreach is not null ? stage.Id : inherited;
            roots[stage.Id] = root;
            return root;
        }
    }
}
