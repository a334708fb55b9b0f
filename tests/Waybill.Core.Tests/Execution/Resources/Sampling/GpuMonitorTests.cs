using Microsoft.Extensions.Time.Testing;
using Waybill.Core.Execution.Resources.Sampling;
using Waybill.Core.Tests.Processes;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution.Resources.Sampling;

/// <summary>
/// The nvidia-smi stream on a fake clock. The program on PATH stands in for nvidia-smi: it runs until stopped and prints
/// nothing, so the lines are fed as nvidia-smi prints them (recorded on a two-device node).
/// </summary>
public sealed class GpuMonitorTests : IDisposable
{
    private const string Device0 = "0, GPU-1a2b3c4d-0000-1111-2222-333344445555, NVIDIA A100-SXM4-80GB, 87, 40210";
    private const string Device1 = "1, GPU-9f8e7d6c-0000-1111-2222-333344445555, NVIDIA A100-SXM4-80GB, 12, 1024";

    private readonly TempFolder _temp = new();
    private readonly FakeTimeProvider _time = new();

    public GpuMonitorTests()
    {
        _temp.Write("bin/nvidia-smi", "#!/bin/sh\nexec sleep 3600\n");
        ProcessTestKit.MakeExecutable(_temp.Combine("bin/nvidia-smi"));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_stream_runs_at_the_shortest_interval_its_stages_ask_for_and_follows_them_as_they_end()
    {
        using var monitor = new GpuMonitor(_temp.Combine("bin"), _time);
        monitor.Acquire(TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.FromHours(1), monitor.StreamInterval);
        monitor.Acquire(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), monitor.StreamInterval);
        monitor.Acquire(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(1), monitor.StreamInterval);
        monitor.Release(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(5), monitor.StreamInterval);
        monitor.Release(TimeSpan.FromSeconds(5));
        monitor.Release(TimeSpan.FromHours(1));
        Assert.Null(monitor.StreamInterval);
    }

    [Fact]
    public void A_reading_older_than_two_intervals_is_not_passed_off_as_current()
    {
        using var monitor = new GpuMonitor(_temp.Combine("bin"), _time);
        monitor.Acquire(TimeSpan.FromSeconds(2));
        monitor.Take(Device0);
        monitor.Take(Device1);
        Assert.Equal(["0", "1"], monitor.Read(["0", "1"]).Select(r => r.Index));
        _time.Advance(TimeSpan.FromSeconds(3));
        monitor.Take(Device1);
        Assert.Equal(["0", "1"], monitor.Read(["0", "1"]).Select(r => r.Index));
        // The stream hangs: device 0 has given nothing for more than 4 s, device 1 for 2 s.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["1"], monitor.Read(["0", "1"]).Select(r => r.Index));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Empty(monitor.Read(["0", "1"]));
        monitor.Release(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_warning_on_stderr_is_no_failure_a_stop_is_and_a_restart_clears_it()
    {
        using var monitor = new GpuMonitor(_temp.Combine("bin"), _time);
        monitor.Acquire(TimeSpan.FromSeconds(1));
        monitor.Complained("Unable to determine the device handle for GPU 0000:3B:00.0: Unknown Error");
        monitor.Take(Device1);
        Assert.Null(monitor.Unavailable);
        Assert.Single(monitor.Read(["1"]));

        // A process that is no longer the stream (one replaced by a faster one) changes nothing when it ends.
        monitor.Ended(new object(), 0);
        Assert.Null(monitor.Unavailable);

        monitor.Complained("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.");
        monitor.Ended(monitor.CurrentStream, 9);
        Assert.Equal("nvidia-smi stopped with exit code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
            monitor.Unavailable);
        Assert.Empty(monitor.Read(["1"]));
        Assert.Null(monitor.StreamInterval);

        // The next stage that asks starts it again, and the old failure is not its own.
        monitor.Acquire(TimeSpan.FromSeconds(1));
        Assert.Null(monitor.Unavailable);
        Assert.Equal(TimeSpan.FromSeconds(1), monitor.StreamInterval);
        monitor.Release(TimeSpan.FromSeconds(1));
        monitor.Release(TimeSpan.FromSeconds(1));
    }
}
