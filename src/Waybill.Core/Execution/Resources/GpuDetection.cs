using System.Diagnostics;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// The GPUs a run may hand out. When the engine was started with CUDA_VISIBLE_DEVICES (by Slurm, say), exactly those
/// devices, as named there; else NVIDIA's devices counted in <c>/proc/driver/nvidia/gpus</c>, or by <c>nvidia-smi -L</c>
/// where that folder is missing (some containers), named by index. None on a machine without NVIDIA's driver.
/// </summary>
public static class GpuDetection
{
    private const string NvidiaProc = "/proc/driver/nvidia/gpus";
    private static readonly TimeSpan NvidiaSmiTimeout = TimeSpan.FromSeconds(10);

    public static IReadOnlyList<string> Detect()
    {
        if (Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is { } visible) return FromVisibleDevices(visible);
        try
        {
            if (Directory.Exists(NvidiaProc)) return Indices(Directory.GetDirectories(NvidiaProc).Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Fall through to nvidia-smi.
        }
        return Indices(CountFromNvidiaSmi(RunNvidiaSmi()));
    }

    /// <summary>
    /// CUDA_VISIBLE_DEVICES as CUDA reads it: a comma-separated list, cut at the first entry that is not a device
    /// (<c>-1</c>, say); empty means none.
    /// </summary>
    internal static IReadOnlyList<string> FromVisibleDevices(string value) =>
        [.. value.Split(',', StringSplitOptions.TrimEntries).TakeWhile(d => d.Length > 0 && !d.StartsWith('-'))];

    /// <summary>Lines of <c>nvidia-smi -L</c> (<c>GPU 0: NVIDIA H100 (UUID: GPU-…)</c>) that name a whole GPU.</summary>
    internal static int CountFromNvidiaSmi(string? output) =>
        output is null ? 0 : output.Split('\n').Count(l => l.StartsWith("GPU ", StringComparison.Ordinal));

    private static List<string> Indices(int count) =>
        [.. Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static string? RunNvidiaSmi()
    {
        if (Processes.ChildProcess.ResolveOnPath("nvidia-smi", Environment.GetEnvironmentVariable("PATH")) is not { } program) return null;
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, "-L") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(NvidiaSmiTimeout))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
