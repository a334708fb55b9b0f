using System.Text.Json.Nodes;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Subtitles;

/// <summary>11_subtitle_generation's settings checked when the pipeline is loaded: the rules' lower bounds and sentence_case.</summary>
public static class SubtitleConfigCheck
{
    /// <summary>The least value of each rule, as the stage enforces it at run time too (<see cref="SubtitleGenerationStage"/>).</summary>
    internal static readonly IReadOnlyDictionary<string, double> Minimums = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["max_line_chars"] = 10, ["max_lines"] = 1, ["min_cue_seconds"] = 0, ["max_cue_seconds"] = 0.5,
        ["max_chars_per_second"] = 1, ["min_gap_seconds"] = 0, ["music_overlap"] = 0,
    };

    public static IEnumerable<ConfigProblem> Check(JsonObject config)
    {
        var problems = new List<ConfigProblem>();
        var defaults = new SubtitleRules();
        foreach (var (key, minimum) in Minimums)
        {
            var whole = key is "max_line_chars" or "max_lines";
            ConfigValues.Number(config, key, minimum, double.PositiveInfinity, whole ? "42" : "1", out var problem, whole);
            if (problem is not null) problems.Add(problem);
        }
        var min = ConfigValues.Number(config, "min_cue_seconds", 0, double.PositiveInfinity, "0.8", out _) ?? defaults.MinCueSeconds;
        var max = ConfigValues.Number(config, "max_cue_seconds", 0.5, double.PositiveInfinity, "7", out _) ?? defaults.MaxCueSeconds;
        if (min > max)
            problems.Add(new ConfigProblem("min_cue_seconds", $"{ConfigValues.Format(min)} is above max_cue_seconds ({ConfigValues.Format(max)})", "0.8"));
        if (ConfigValues.Has(config, "sentence_case") && SentenceCase.Parse(ConfigValues.Text(config, "sentence_case")) is null)
            problems.Add(new ConfigProblem("sentence_case", $"'{ConfigValues.Text(config, "sentence_case")}' is not one of {string.Join(", ", SentenceCase.Values)}",
                "auto"));
        return problems;
    }
}
