using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.Controls;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// Requests a run can never grant: a stage that asks for more threads, memory or GPUs than the whole run may use would
/// wait forever, so it is an error before any stage runs, at the place the request was written.
/// </summary>
public static class ResourceCheck
{
    /// <exception cref="PipelineInvalidException">Every request larger than <paramref name="run"/> allows, all at once.</exception>
    public static void ThrowIfTooLarge(IEnumerable<StageDefinition> stages, RunResources run)
    {
        var problems = Problems(stages, run);
        if (problems.Count > 0) throw new PipelineInvalidException(problems);
    }

    public static IReadOnlyList<PipelineError> Problems(IEnumerable<StageDefinition> stages, RunResources run)
    {
        var problems = new List<PipelineError>();
        foreach (var stage in stages)
        {
            var controls = stage.Controls;
            if (controls.ThreadsOrDefault > run.Cores)
            {
                problems.Add(Error(stage, "threads", $"asks for {Plural(controls.ThreadsOrDefault, "thread")}, but this run may use "
                    + $"{Plural(run.Cores, "core")} ({Origin(run.CoresGiven, "--cores", "this machine's")})", "lower threads, or raise --cores"));
            }
            if (controls.MemoryBytes is { } memory && memory > run.MemoryBytes)
            {
                problems.Add(Error(stage, "memory", $"asks for {Quantities.FormatSize(memory)}, but this run may use "
                    + $"{Quantities.FormatSize(run.MemoryBytes)} ({Origin(run.MemoryGiven, "--memory", "this machine's memory")})",
                    "lower memory, or raise --memory"));
            }
            if (controls.Gpus is { } gpus && gpus > run.Gpus)
            {
                var origin = run.GpusGiven ? "--gpus" : run.Gpus == 0 ? "none was found on this machine" : "those found on this machine";
                problems.Add(Error(stage, "gpus", $"asks for {Plural(gpus, "GPU")}, but this run may use "
                    + $"{(run.Gpus == 0 ? "none" : Plural(run.Gpus, "GPU"))} ({origin})",
                    "lower gpus, or run where the GPUs are; --gpus N tells a run of GPUs it did not find"));
            }
        }
        return problems;
    }

    /// <summary>
    /// The in-process stages (C# code and builtins) that ask for memory: counted, but not limited, since a limit would
    /// bind the whole engine. Null when there are none.
    /// </summary>
    public static string? UnlimitedMemory(IEnumerable<StageDefinition> stages)
    {
        var inProcess = stages.Where(s => s.Kind != StageKind.Command && s.Controls.MemoryBytes is not null).Select(s => s.Id).ToList();
        if (inProcess.Count == 0) return null;
        return $"memory of {string.Join(", ", inProcess)} is counted against --memory but not enforced: C# stages run inside Waybill, "
            + "whose memory cannot be limited per stage; run them with 'waybill exec-stage' under a scheduler that limits memory to enforce it";
    }

    private static PipelineError Error(StageDefinition stage, string key, string message, string hint)
    {
        var at = stage.Controls.Locations.GetValueOrDefault(key);
        return new PipelineError($"{message}{(at is null ? " (set with --set)" : "")}", at, $"{stage.Id}.{key}", hint);
    }

    private static string Origin(bool given, string option, string machine) => given ? option : $"{machine}; {option} sets another limit";

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
