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

    /// <summary>
    /// Sets the variables of <paramref name="grant"/> in <paramref name="environment"/>, an environment the pipeline's
    /// <c>env:</c> (<paramref name="pipelineEnv"/>) is part of already; a stage's own <c>env:</c> goes over it after
    /// (<see cref="AfterStageEnv"/>).
    /// </summary>
    internal static void Apply(Dictionary<string, string> environment, ResourceGrant grant, IReadOnlyDictionary<string, string> pipelineEnv)
    {
        var threads = Threads(grant);
        foreach (var name in ThreadVariables)
            if (!pipelineEnv.ContainsKey(name)) environment[name] = threads;
        environment[ThreadsVariable] = threads;
        if (grant.SetsVisibleGpus && !pipelineEnv.ContainsKey(GpusVariable)) environment[GpusVariable] = Gpus(grant);
    }

    /// <summary>What a stage's <c>env:</c> may not change: WAYBILL_THREADS is always the grant.</summary>
    internal static void AfterStageEnv(Processes.LayeredEnvironment environment, ResourceGrant grant, IReadOnlyDictionary<string, string> stageEnv)
    {
        if (stageEnv.ContainsKey(ThreadsVariable)) environment[ThreadsVariable] = Threads(grant);
    }

    /// <summary>What tells apart the variables <see cref="Apply"/> sets for two grants.</summary>
    internal static string Key(ResourceGrant grant) => grant.SetsVisibleGpus ? Threads(grant) + "/" + Gpus(grant) : Threads(grant);

    private static string Threads(ResourceGrant grant) => grant.Threads.ToString(CultureInfo.InvariantCulture);

    private static string Gpus(ResourceGrant grant) => string.Join(',', grant.GpuDevices);
}
