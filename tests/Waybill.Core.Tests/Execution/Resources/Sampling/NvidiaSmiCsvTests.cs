using Waybill.Core.Execution.Resources.Sampling;
using Xunit;

namespace Waybill.Core.Tests.Execution.Resources.Sampling;

/// <summary>nvidia-smi --query-gpu output as drivers print it: several devices, units off, figures a driver does not give.</summary>
public sealed class NvidiaSmiCsvTests
{
    // Recorded shape of `nvidia-smi --query-gpu=index,uuid,name,utilization.gpu,memory.used --format=csv,noheader,nounits`
    // on an eight-GPU node (UUIDs shortened), one device busy, one with a driver that reports no utilisation.
    private const string EightGpus = """
        0, GPU-3f1c2a9e-6b1d-4c57-9a0e-1d2b3c4d5e6f, NVIDIA H100 80GB HBM3, 97, 71234
        1, GPU-8a7b6c5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d, NVIDIA H100 80GB HBM3, 0, 4
        2, GPU-11111111-2222-3333-4444-555555555555, NVIDIA H100 80GB HBM3, 0, 4
        3, GPU-22222222-3333-4444-5555-666666666666, NVIDIA H100 80GB HBM3, 12, 40960
        4, GPU-33333333-4444-5555-6666-777777777777, NVIDIA H100 80GB HBM3, 0, 4
        5, GPU-44444444-5555-6666-7777-888888888888, NVIDIA H100 80GB HBM3, 0, 4
        6, GPU-55555555-6666-7777-8888-999999999999, NVIDIA H100 80GB HBM3, [N/A], 4
        7, GPU-66666666-7777-8888-9999-aaaaaaaaaaaa, NVIDIA H100 80GB HBM3, 100, 80500
        """;

    [Fact]
    public void Every_device_of_a_multi_gpu_node_is_read_with_its_figures()
    {
        var readings = NvidiaSmiCsv.Parse(EightGpus);
        Assert.Equal(8, readings.Count);
        Assert.Equal(new GpuReading("0", "GPU-3f1c2a9e-6b1d-4c57-9a0e-1d2b3c4d5e6f", "NVIDIA H100 80GB HBM3", 97, 71234), readings[0]);
        Assert.Equal(12, readings[3].UtilizationPercent);
        Assert.Equal(80500, readings[7].MemoryUsedMb);
    }

    [Fact]
    public void A_figure_the_driver_does_not_give_is_null_never_zero()
    {
        var readings = NvidiaSmiCsv.Parse("""
            0, GPU-aaaa, Tesla K80, [N/A], [N/A]
            1, GPU-bbbb, NVIDIA GeForce GT 710, [Not Supported], 312
            2, GPU-cccc, NVIDIA A100-SXM4-40GB, [Unknown Error], [GPU requires reset]
            """);
        Assert.Equal(3, readings.Count);
        Assert.Null(readings[0].UtilizationPercent);
        Assert.Null(readings[0].MemoryUsedMb);
        Assert.Null(readings[1].UtilizationPercent);
        Assert.Equal(312, readings[1].MemoryUsedMb);
        Assert.Null(readings[2].UtilizationPercent);
        Assert.Null(readings[2].MemoryUsedMb);
    }

    [Fact]
    public void Headers_units_and_error_lines_are_told_apart_from_device_lines()
    {
        var readings = NvidiaSmiCsv.Parse("""
            index, uuid, name, utilization.gpu [%], memory.used [MiB]
            0, GPU-aaaa, NVIDIA H200, 45 %, 1234 MiB
            NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.
            Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error
            """);
        var reading = Assert.Single(readings);
        Assert.Equal(45, reading.UtilizationPercent);
        Assert.Equal(1234, reading.MemoryUsedMb);
        Assert.Empty(NvidiaSmiCsv.Parse("No devices were found\n"));
        Assert.Null(NvidiaSmiCsv.ParseLine(new string('9', 5000)));
    }

    [Fact]
    public void A_device_is_named_by_its_index_or_its_uuid_as_cuda_visible_devices_gives_it()
    {
        var reading = new GpuReading("3", "GPU-22222222-3333-4444-5555-666666666666", "NVIDIA H100", 1, 2);
        Assert.True(reading.Is("3"));
        Assert.True(reading.Is("GPU-22222222-3333-4444-5555-666666666666"));
        // CUDA accepts a unique prefix of the UUID.
        Assert.True(reading.Is("GPU-22222222"));
        Assert.False(reading.Is("2"));
        Assert.False(reading.Is("GPU-33"));
    }

    [Fact]
    public void Devices_of_different_models_are_named_one_by_one_so_each_is_priced_at_its_own_rate()
    {
        // Recorded on a node with two A100s and an H100, the stage given all three.
        var readings = NvidiaSmiCsv.Parse("""
            2, GPU-33333333-4444-5555-6666-777777777777, NVIDIA H100 80GB HBM3, 50, 1000
            0, GPU-11111111-2222-3333-4444-555555555555, NVIDIA A100-SXM4-80GB, 10, 2000
            1, GPU-22222222-3333-4444-5555-666666666666, NVIDIA A100-SXM4-80GB, 30, 3000
            """);
        var tally = new GpuTally();
        tally.Add(readings);
        var usage = tally.Usage(null, 1, TimeSpan.FromSeconds(1));
        Assert.Equal("NVIDIA A100-SXM4-80GB, NVIDIA A100-SXM4-80GB, NVIDIA H100 80GB HBM3", usage.Device);

        var card = new Waybill.Core.Pipeline.Costs.RateCard
        {
            GpuRates = new Dictionary<string, double> { ["NVIDIA H100 80GB HBM3"] = 4, ["NVIDIA A100-SXM4-80GB"] = 1.5, ["default"] = 9 },
        };
        var resources = new Waybill.Core.Manifests.ResourceUsage { WallSeconds = 3600, GpuDevices = ["0", "1", "2"], Gpu = usage };
        var lines = Waybill.Core.Execution.Costs.StagePricing.Price(card, resources)!.Lines.Where(l => l.Unit == "gpu_hour")
            .Select(l => (l.Quantity, l.Rate, l.Amount)).OrderBy(l => l.Rate);
        Assert.Equal([(2.0, 1.5, 3.0), (1.0, 4.0, 4.0)], lines);

        // One model: its name once, all devices at its rate.
        Assert.Equal("NVIDIA A100-SXM4-80GB", GpuTally.DeviceOf([.. readings.Skip(1)]));
    }

    [Fact]
    public void A_tally_averages_over_samples_and_over_the_stage_s_devices()
    {
        var tally = new GpuTally();
        Assert.Equal((50.0, 3000.0), tally.Add([new("0", null, "NVIDIA H200", 40, 1000), new("1", null, "NVIDIA H200", 60, 2000)]));
        Assert.Equal((90.0, (double?)null), tally.Add([new("0", null, "NVIDIA H200", 90, null)]));
        Assert.Null(tally.Add([]));
        var usage = tally.Usage(null, 2, TimeSpan.FromSeconds(1));
        Assert.True(usage.Available);
        Assert.Equal("NVIDIA H200", usage.Device);
        Assert.Equal(70, usage.UtilizationPercentMean);
        Assert.Equal(90, usage.UtilizationPercentMax);
        Assert.Equal(3000, usage.MemoryUsedMbPeak);
        Assert.Equal("nvidia-smi", usage.MeasuredBy);
    }

    [Fact]
    public void Without_a_reading_the_usage_is_unavailable_with_the_reason_and_no_figure()
    {
        var absent = new GpuTally().Usage("nvidia-smi is not on PATH", 5, TimeSpan.FromSeconds(1));
        Assert.False(absent.Available);
        Assert.Equal("nvidia-smi is not on PATH", absent.Reason);
        Assert.Null(absent.UtilizationPercentMean);
        Assert.Null(absent.MemoryUsedMbPeak);
        Assert.Null(absent.Device);
        var tooShort = new GpuTally().Usage(null, 0, TimeSpan.FromMilliseconds(500));
        Assert.False(tooShort.Available);
        Assert.Contains("shorter than one sample interval (500ms)", tooShort.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_machine_without_nvidia_smi_the_monitor_says_why_and_reads_nothing()
    {
        using var monitor = new GpuMonitor(path: "/nonexistent-bin");
        Assert.Contains("nvidia-smi is not on PATH", monitor.Unavailable, StringComparison.Ordinal);
        monitor.Acquire(TimeSpan.FromSeconds(1));
        Assert.Empty(monitor.Read([]));
        monitor.Release(TimeSpan.FromSeconds(1));
    }
}
