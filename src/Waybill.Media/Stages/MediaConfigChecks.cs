using System.Text.Json.Nodes;
using Waybill.Core.Stages;
using Waybill.Media.Stages.SourceSeparation;
using Waybill.Media.Stages.Vad;

namespace Waybill.Media.Stages;

/// <summary>Load-time checks of the smaller stages, whose settings are a name or a few ranges.</summary>
internal static class MediaConfigChecks
{
    public static IEnumerable<ConfigProblem> Vad(JsonObject config)
    {
        var problems = new List<ConfigProblem>();
        var defaults = new VadOptions();
        if (ConfigValues.Number(config, "threshold", 0, 1, "0.5", out var problem) is { } threshold
            && (defaults with { Threshold = threshold }).Problem() is { } range)
            problems.Add(new ConfigProblem("threshold", range, "0.5"));
        if (problem is not null) problems.Add(problem);
        foreach (var key in new[] { "min_speech_ms", "min_silence_ms", "speech_pad_ms" })
        {
            ConfigValues.Number(config, key, 0, int.MaxValue, "250", out problem, whole: true);
            if (problem is not null) problems.Add(problem);
        }
        return problems;
    }

    public static IEnumerable<ConfigProblem> SourceSeparation(JsonObject config)
    {
        var backend = ConfigValues.Text(config, "backend")?.ToLowerInvariant();
        if (backend is null or "" || SourceSeparationStage.Backends.Contains(backend)) return [];
        return [new ConfigProblem("backend", $"'{backend}' is not a source separation backend; known: {string.Join(", ", SourceSeparationStage.Backends)}", "none")];
    }
}
