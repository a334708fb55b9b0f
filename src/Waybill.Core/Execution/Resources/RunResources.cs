using System.Globalization;
using Waybill.Core.Pipeline.Controls;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// What the stages of a run may use at once: CPU threads (<c>--cores</c>), memory (<c>--memory</c>) and GPUs
/// (<c>--gpus</c>), each by default this machine's (<see cref="MachineResources"/>). The scheduler counts every
/// stage's <c>threads</c>, <c>memory</c> and <c>gpus</c> against them.
/// </summary>
/// <param name="GpuDevices">The devices handed out, as CUDA_VISIBLE_DEVICES names them (indices, or the UUIDs the engine was given).</param>
public sealed record RunResources(int Cores, long MemoryBytes, IReadOnlyList<string> GpuDevices)
{
    public int Gpus => GpuDevices.Count;

    /// <summary>Set when <c>--cores</c> gave <see cref="Cores"/> rather than the machine (error messages say which).</summary>
    public bool CoresGiven { get; init; }
    public bool MemoryGiven { get; init; }
    public bool GpusGiven { get; init; }

    /// <summary>This machine's, detected once per process.</summary>
    public static RunResources Machine => MachineResources.Current;

    /// <summary>
    /// These resources with the ones given on the command line in place of the machine's. More GPUs than were detected
    /// get the next free indices (detection can miss a GPU that is there).
    /// </summary>
    public RunResources With(int? cores, long? memoryBytes, int? gpus)
    {
        var devices = GpuDevices;
        if (gpus is { } count)
        {
            var list = GpuDevices.Take(count).ToList();
            for (var index = 0; list.Count < count; index++)
            {
                var name = index.ToString(CultureInfo.InvariantCulture);
                if (!list.Contains(name)) list.Add(name);
            }
            devices = list;
        }
        return new RunResources(cores ?? Cores, memoryBytes ?? MemoryBytes, devices)
        {
            CoresGiven = CoresGiven || cores is not null,
            MemoryGiven = MemoryGiven || memoryBytes is not null,
            GpusGiven = GpusGiven || gpus is not null,
        };
    }

    /// <summary>"2 cores, 23.5GiB, no GPUs".</summary>
    public override string ToString() =>
        $"{Cores} {(Cores == 1 ? "core" : "cores")}, {Quantities.FormatSize(MemoryBytes)}, "
        + (Gpus == 0 ? "no GPUs" : $"{Gpus} {(Gpus == 1 ? "GPU" : "GPUs")} ({string.Join(",", GpuDevices)})");
}
