using Waybill.Core.Execution;
using Waybill.Core.Execution.Resources;

namespace Waybill.Core.Tests.Execution.Resources;

/// <summary>A run of job "job" into <c>out</c> in which two stages may run at once on two cores.</summary>
internal static class TwoSlots
{
    public static RunOptions Options(string outputRoot) => new()
    {
        JobId = "job",
        OutputRoot = outputRoot,
        MaxParallel = 2,
        Resources = new RunResources(2, 1L << 30, []),
    };
}
