using Waybill.Core.Stages;

namespace Waybill.Core.Pipeline;

/// <summary>
/// Runs the config checks of the built-in stages a pipeline uses (<see cref="BuiltinStages.AddCheck"/>) on each stage's
/// effective config, so that a setting a stage would refuse at run time is refused when the pipeline is loaded.
/// </summary>
internal static class BuiltinConfigChecks
{
    public static List<PipelineError> Problems(PipelineDefinition pipeline, BuiltinStages builtins)
    {
        var errors = new List<PipelineError>();
        foreach (var stage in pipeline.Stages)
        {
            if (stage.Kind != StageKind.Builtin || stage.Uses is null) continue;
            var checks = builtins.ChecksFor(stage.Uses);
            if (checks.Count == 0) continue;
            var config = pipeline.ConfigFor(stage);
            foreach (var check in checks)
                foreach (var problem in check(config))
                    errors.Add(new PipelineError($"config '{problem.Key}': {problem.Message}", stage.Location, $"{stage.Id}.{problem.Key}", Hint(stage, problem)));
        }
        return errors;
    }

    private static string? Hint(StageDefinition stage, ConfigProblem problem) => problem.Example is null
        ? null
        : $"set '{problem.Key}' in the config of {stage.Id}, or on the command line: --set {stage.Name}.{problem.Key}={problem.Example}";
}
