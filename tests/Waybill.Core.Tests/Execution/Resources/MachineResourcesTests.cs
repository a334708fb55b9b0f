using Waybill.Core.Execution.Resources;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution.Resources;

/// <summary>What a run may use by default: read from /proc and the cgroup files as the kernel writes them.</summary>
public sealed class MachineResourcesTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string MountInfo = """
        25 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        33 25 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        40 25 0:35 /docker/abc /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
        41 25 0:36 / /sys/fs/cgroup/cpu\040set rw,nosuid - cgroup cgroup rw,cpuset
        """;

    [Fact]
    public void Cgroup_folders_are_found_under_their_mounts()
    {
        const string cgroup = "12:memory:/docker/abc/inner\n3:cpuset:/\n0::/user.slice/user-1000.slice/session-2.scope\n";
        Assert.Equal("/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope", CgroupPaths.V2Directory(MountInfo, cgroup));
        Assert.Equal("/sys/fs/cgroup/memory/inner", CgroupPaths.V1MemoryDirectory(MountInfo, cgroup));
        Assert.Equal("/sys/fs/cgroup", CgroupPaths.V2Directory(MountInfo, "0::/\n"));
        // A cgroup outside what the mount shows has no folder here.
        Assert.Null(CgroupPaths.V1MemoryDirectory(MountInfo, "12:memory:/elsewhere\n"));
        Assert.Null(CgroupPaths.V2Directory("25 30 0:22 / /sys rw - sysfs sysfs rw\n", "0::/\n"));
    }

    [Fact]
    public void Memory_is_mem_total_or_the_lowest_cgroup_limit_on_the_way_up()
    {
        Assert.Equal(24683784L * 1024, MachineResources.MemTotal("MemTotal:       24683784 kB\nMemFree:         1000 kB\n"));
        Assert.Null(MachineResources.MemTotal("MemFree: 1 kB\n"));

        _temp.Write("root/memory.max", "max\n");
        _temp.Write("root/job/memory.max", "1073741824\n");
        _temp.Write("root/job/stage/memory.max", "max\n");
        Assert.Equal(1L << 30, MachineResources.CgroupLimit(_temp.Combine("root", "job", "stage"), "memory.max"));
        _temp.Write("v1/memory.limit_in_bytes", "9223372036854771712\n");
        Assert.Null(MachineResources.CgroupLimit(_temp.Combine("v1"), "memory.limit_in_bytes"));
    }

    [Fact]
    public void Gpus_are_read_as_cuda_and_nvidia_smi_list_them()
    {
        Assert.Equal(["0", "2"], GpuDetection.FromVisibleDevices("0,2"));
        Assert.Equal(["GPU-8d2c"], GpuDetection.FromVisibleDevices(" GPU-8d2c "));
        Assert.Empty(GpuDetection.FromVisibleDevices(""));
        // CUDA stops at the first entry that is not a device.
        Assert.Equal(["1"], GpuDetection.FromVisibleDevices("1,-1,2"));
        const string smi = "GPU 0: NVIDIA H100 (UUID: GPU-a)\n  MIG 1g.10gb Device 0: (UUID: MIG-b)\nGPU 1: NVIDIA H100 (UUID: GPU-c)\n";
        Assert.Equal(2, GpuDetection.CountFromNvidiaSmi(smi));
        Assert.Equal(0, GpuDetection.CountFromNvidiaSmi(null));
    }

    [Fact]
    public void A_cgroup_of_its_own_gets_the_limit_and_reports_the_oom_killer()
    {
        // A stand-in for a cgroup v2 folder: the files the kernel would show.
        _temp.Write("cg/cgroup.controllers", "cpu io memory pids\n");
        _temp.Write("cg/cgroup.subtree_control", "memory\n");
        _temp.Write("cg/cgroup.procs", "");
        var parent = CgroupMemory.UsableParent(_temp.Combine("cg"));
        Assert.Equal(_temp.Combine("cg"), parent);

        var cgroup = CgroupMemory.TryCreate(parent, "waybill-1-01_x", 200L << 20)!;
        Assert.Equal("209715200", File.ReadAllText(Path.Combine(cgroup.Directory, "memory.max")));
        Assert.Equal(0, cgroup.OomKills());
        File.WriteAllText(Path.Combine(cgroup.Directory, "memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n");
        File.WriteAllText(Path.Combine(cgroup.Directory, "memory.peak"), "209711104\n");
        Assert.Equal(1, cgroup.OomKills());
        Assert.Equal(209711104, cgroup.PeakBytes());

        // Without the memory controller (cgroup v1 machines, undelegated cgroups) there is none.
        _temp.Write("plain/cgroup.controllers", "cpu pids\n");
        Assert.Null(CgroupMemory.UsableParent(_temp.Combine("plain")));
        Assert.Null(CgroupMemory.UsableParent(null));
        // ... and the manifest is told why, in words.
        Assert.Equal($"the memory controller is not available in the cgroup v2 {_temp.Combine("plain")} (its cgroup.controllers)",
            CgroupMemory.Usable(_temp.Combine("plain")).WhyNot);
        Assert.StartsWith("no cgroup v2 here", CgroupMemory.Usable(null).WhyNot, StringComparison.Ordinal);
        Assert.Null(CgroupMemory.Usable(_temp.Combine("cg")).WhyNot);
    }
}
