using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution.Resources;

/// <summary>What a stage asked for and was given, in its manifest's <c>resources</c>.</summary>
internal static class ResourceRecord
{
    public static void Requested(ResourceUsage usage, StageDefinition stage, ResourceGrant grant)
    {
        var controls = stage.Controls;
        usage.Requested = new RequestedResources
        {
            Threads = controls.ThreadsOrDefault, MemoryBytes = controls.MemoryBytes, Gpus = controls.Gpus ?? 0,
        };
        if (grant.SetsVisibleGpus) usage.GpuDevices = [.. grant.GpuDevices];
        // In-process stages share the engine's memory: theirs is counted, never limited (see ResourceCheck.UnlimitedMemory).
        if (controls.MemoryBytes is not null && stage.Kind != StageKind.Command) usage.MemoryLimit = "none";
    }
}
