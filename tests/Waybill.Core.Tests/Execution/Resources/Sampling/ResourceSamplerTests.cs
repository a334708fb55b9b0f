using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Waybill.Core.Execution.Resources.Sampling;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution.Resources.Sampling;

/// <summary>
/// The shared sampling timer on a fake clock: rows of the documented format at each interval, none for a stage shorter
/// than one interval, and one tick serving stages of different intervals. The sampled process is this test process.
/// </summary>
public sealed class ResourceSamplerTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_row_per_interval_is_written_in_the_documented_columns()
    {
        using var sampler = new ResourceSampler(_time);
        var watch = sampler.Start(_temp.Path, TimeSpan.FromMilliseconds(500), gpuDevices: null);
        watch.AddRoot(Environment.ProcessId);
        for (var i = 0; i < 4; i++) _time.Advance(TimeSpan.FromMilliseconds(500));
        var summary = watch.Stop();

        Assert.Equal(4, summary.Samples!.Count);
        Assert.Equal(0.5, summary.Samples.IntervalSeconds);
        Assert.Equal("resource_samples.tsv", summary.Samples.File);
        var lines = File.ReadAllLines(_temp.Combine("resource_samples.tsv"));
        Assert.Equal("elapsed_seconds\tcpu_percent\trss_mb\tread_bytes\twrite_bytes\tgpu_percent\tgpu_memory_mb", lines[0]);
        Assert.Equal(5, lines.Length);
        var first = lines[1].Split('\t');
        Assert.Equal(7, first.Length);
        Assert.Equal("0.500", first[0]);
        Assert.Equal("2.000", lines[4].Split('\t')[0]);
        Assert.True(double.Parse(first[2], CultureInfo.InvariantCulture) > 1, lines[1]);
        // No GPU was asked for: its cells are empty, not 0.
        Assert.Equal("", first[5]);
        Assert.Equal("", first[6]);
        Assert.True(summary.PeakTreeRssBytes > 1024 * 1024);
        Assert.NotNull(summary.ReadBytes);
        Assert.Null(summary.Gpu);
    }

    [Fact]
    public void A_stage_shorter_than_one_interval_has_no_file_and_no_samples()
    {
        using var sampler = new ResourceSampler(_time);
        var watch = sampler.Start(_temp.Path, TimeSpan.FromSeconds(1), gpuDevices: null);
        watch.AddRoot(Environment.ProcessId);
        _time.Advance(TimeSpan.FromMilliseconds(900));
        var summary = watch.Stop();
        Assert.Null(summary.Samples);
        Assert.False(File.Exists(_temp.Combine("resource_samples.tsv")));
    }

    [Fact]
    public void One_timer_serves_stages_of_different_intervals_each_at_its_own()
    {
        using var sampler = new ResourceSampler(_time);
        Directory.CreateDirectory(_temp.Combine("a"));
        Directory.CreateDirectory(_temp.Combine("b"));
        var slow = sampler.Start(_temp.Combine("a"), TimeSpan.FromSeconds(1), gpuDevices: null);
        var fast = sampler.Start(_temp.Combine("b"), TimeSpan.FromMilliseconds(250), gpuDevices: null);
        slow.AddRoot(Environment.ProcessId);
        fast.AddRoot(Environment.ProcessId);
        for (var i = 0; i < 8; i++) _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(8, fast.Stop().Samples!.Count);
        Assert.Equal(2, slow.Stop().Samples!.Count);
    }

    [Fact]
    public void A_stage_that_started_no_process_has_no_samples()
    {
        using var sampler = new ResourceSampler(_time);
        var watch = sampler.Start(_temp.Path, TimeSpan.FromMilliseconds(100), gpuDevices: null);
        for (var i = 0; i < 5; i++) _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Null(watch.Stop().Samples);
    }

    [Fact]
    public void A_stage_that_asked_for_a_gpu_where_nvidia_smi_is_not_found_gets_unavailable_and_empty_gpu_cells()
    {
        using var sampler = new ResourceSampler(_time, path: _temp.Path);
        var watch = sampler.Start(_temp.Path, TimeSpan.FromMilliseconds(500), gpuDevices: ["0"]);
        watch.AddRoot(Environment.ProcessId);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var summary = watch.Stop();
        Assert.False(summary.Gpu!.Available);
        Assert.Contains("nvidia-smi is not on PATH", summary.Gpu.Reason, StringComparison.Ordinal);
        Assert.Null(summary.Gpu.UtilizationPercentMean);
        var row = File.ReadAllLines(_temp.Combine("resource_samples.tsv"))[1].Split('\t');
        Assert.Equal("", row[5]);
        Assert.Equal("", row[6]);
    }

    [Fact]
    public void A_root_that_ends_between_the_read_of_its_tree_and_the_row_is_not_counted_twice()
    {
        using var sampler = new ResourceSampler(_time);
        using var watch = new SampleWatch(sampler, _temp.Path, TimeSpan.FromSeconds(1), _time.GetTimestamp(), gpuDevices: null);
        watch.AddRoot(4242);
        watch.MarkStarted();
        var (_, generation) = watch.Snapshot();
        // The tick read the tree while 4242 still ran; then it ended and its figures were carried on before the row.
        var tree = new TreeFigures(100, 10 << 20, 5_000_000, 1_000_000);
        watch.RootEnded(new Waybill.Core.Processes.ProcessResult(0, null, TimeSpan.FromSeconds(1), TimeSpan.Zero, 10 << 20,
            TimeSpan.FromSeconds(1), false, 4242) { ReadBytes = 5_000_000, WriteBytes = 1_000_000 });
        watch.Record(1.0, tree, null, generation);
        var (roots, now) = watch.Snapshot();
        Assert.Empty(roots);
        watch.Record(1.5, TreeFigures.Empty, null, now);
        var summary = watch.Stop();
        Assert.Equal(5_000_000, summary.ReadBytes);
        Assert.Equal(1_000_000, summary.WriteBytes);
        Assert.Equal(1, summary.Samples!.Count);
    }

    [Fact]
    public void The_timer_slows_down_again_when_the_fastest_stage_ends()
    {
        using var sampler = new ResourceSampler(_time);
        Directory.CreateDirectory(_temp.Combine("a"));
        Directory.CreateDirectory(_temp.Combine("b"));
        var slow = sampler.Start(_temp.Combine("a"), TimeSpan.FromSeconds(2), gpuDevices: null);
        var fast = sampler.Start(_temp.Combine("b"), TimeSpan.FromMilliseconds(100), gpuDevices: null);
        Assert.Equal(TimeSpan.FromMilliseconds(100), sampler.Period);
        fast.Stop();
        Assert.Equal(TimeSpan.FromSeconds(2), sampler.Period);
        slow.AddRoot(Environment.ProcessId);
        for (var i = 0; i < 2; i++) _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, slow.Stop().Samples!.Count);
        Assert.Null(sampler.Period);
    }

    [Fact]
    public void A_stage_that_asked_for_a_gpu_but_was_granted_none_by_name_is_credited_no_device()
    {
        // nvidia-smi is there (a stand-in that would stream nothing): the machine's devices could be read, but not told apart.
        _temp.Write("bin/nvidia-smi", "#!/bin/sh\nexec sleep 3600\n");
        Waybill.Core.Tests.Processes.ProcessTestKit.MakeExecutable(_temp.Combine("bin/nvidia-smi"));
        using var sampler = new ResourceSampler(_time, path: _temp.Combine("bin"));
        var watch = sampler.Start(_temp.Path, TimeSpan.FromMilliseconds(500), gpuDevices: []);
        watch.AddRoot(Environment.ProcessId);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var summary = watch.Stop();
        Assert.False(summary.Gpu!.Available);
        Assert.StartsWith("devices unknown", summary.Gpu.Reason, StringComparison.Ordinal);
        Assert.Null(summary.Gpu.Device);
        Assert.Equal(1, summary.Samples!.Count);
    }
}
