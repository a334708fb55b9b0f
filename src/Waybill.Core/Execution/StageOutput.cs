using System.Globalization;
using Waybill.Core.Processes;
using Waybill.Core.Stages;

namespace Waybill.Core.Execution;

/// <summary>
/// The output size policy of a stage: how much of each stream of its commands stage.log and events.jsonl keep
/// (<see cref="OutputLimits.Variable"/>, default 16 MiB head and 16 MiB tail), and the manifest warning when some was left out.
/// </summary>
internal static class StageOutput
{
    /// <summary>The stage's limits; a setting that is not a size fails the stage with what to write instead.</summary>
    public static OutputLimits Limits(StageContext context)
    {
        var setting = context.EnvironmentVariable(OutputLimits.Variable);
        return OutputLimits.Parse(setting)
            ?? throw new StageFailedException(
                $"{OutputLimits.Variable}='{Text.PrintableText.Of(setting ?? "", 40)}' (stage {context.Definition.Id}) is not a size "
                + "of at most 1G: give bytes with an optional K, M or G suffix, e.g. 16M, or 'unlimited'");
    }

    /// <summary>Adds a warning per stream that was cut, and one when leftover processes held the output open.</summary>
    public static void Report(StageContext context, ProcessResult result, OutputLimits limits)
    {
        Warn(context, "stdout", result.Stdout, limits);
        Warn(context, "stderr", result.Stderr, limits);
        if (result.LeftoversKilled)
        {
            context.AddWarning(string.Create(CultureInfo.InvariantCulture,
                $"the command exited but processes it started kept its output open; "
                + $"they were killed {ChildProcess.OutputLinger.TotalSeconds:0.#} s later (see 'Background processes' in docs/stage-authoring.md)"));
        }
        if (result.LeftoverProcesses > 0)
        {
            var count = result.LeftoverProcesses.ToString(CultureInfo.InvariantCulture);
            context.AddWarning($"the command exited leaving {count} process{(result.LeftoverProcesses == 1 ? "" : "es")} of its own running; "
                + "they were killed, and what they used is not in the stage's resources (see 'Background processes' in docs/stage-authoring.md)");
        }
    }

    private static void Warn(StageContext context, string stream, OutputStats stats, OutputLimits limits)
    {
        if (!stats.Truncated) return;
        var parts = new List<string>();
        if (stats.DroppedLines > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{stats.DroppedBytes} bytes in {stats.DroppedLines} lines dropped from the middle "
                + $"(kept {stats.KeptBytes} bytes: the first and the last {limits.HeadBytes} at most)"));
        }
        if (stats.CutLines > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{stats.CutLines} lines longer than {limits.MaxLineBytes} bytes cut ({stats.CutBytes} bytes dropped)"));
        }
        context.AddWarning(string.Create(CultureInfo.InvariantCulture,
            $"{stream} truncated in the logs: {stats.Bytes} bytes in {stats.Lines} lines written; {string.Join("; ", parts)}. "
            + $"Set {OutputLimits.Variable} in the stage's env: to keep more, or write large output to a file"));
    }
}
