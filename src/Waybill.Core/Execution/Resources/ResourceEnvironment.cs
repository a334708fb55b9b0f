using System.Globalization;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// Tells a stage's commands what it was given. Its threads go into the thread-count variables that OpenMP, BLAS
/// libraries, NumExpr and Rayon read, and into WAYBILL_THREADS; its GPUs into CUDA_VISIBLE_DEVICES. A variable the
/// pipeline's or the stage's <c>env:</c> sets is left as written there: the user's word wins. WAYBILL_THREADS is always
/// the grant.
/// </summary>
public static class ResourceEnvironment
{
    public const string ThreadsVariable = "WAYBILL_THREADS";
    public const string GpusVariable = "CUDA_VISIBLE_DEVICES";

    /// <summary>The variables set to the stage's threads (besides <see cref="ThreadsVariable"/>).</summary>
    public static readonly IReadOnlyList<string> ThreadVariables =
        ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "RAYON_NUM_THREADS"];

    internal static void Apply(Processes.LayeredEnvironment environment, ResourceGrant grant, IReadOnlyDictionary<string, string> pipelineEnv,
        IReadOnlyDictionary<string, string> stageEnv)
    {
        var threads = grant.Threads.ToString(CultureInfo.InvariantCulture);
        foreach (var name in ThreadVariables)
            if (!UserSets(name)) environment[name] = threads;
        environment[ThreadsVariable] = threads;
        if (grant.SetsVisibleGpus && !UserSets(GpusVariable)) environment[GpusVariable] = string.Join(',', grant.GpuDevices);

        bool UserSets(string name) => pipelineEnv.ContainsKey(name) || stageEnv.ContainsKey(name);
    }
}
