using Waybill.Core.Execution.Resources;
using Waybill.Core.Execution.Resources.Sampling;
using Waybill.Core.Processes;
using Xunit;

namespace Waybill.Core.Tests.Execution.Resources.Sampling;

/// <summary>The /proc and cgroup v2 files resource measurement reads, parsed as the kernel writes them.</summary>
public sealed class ProcFilesTests
{
    [Fact]
    public void A_stat_line_gives_parent_group_cpu_ticks_and_resident_pages_even_with_spaces_and_parentheses_in_the_name()
    {
        const string line = "4242 (my (odd) prog) S 4200 4200 4200 0 -1 4194304 1200 300 0 0 250 50 30 20 20 0 3 0 100 123456789 2048 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        var stat = ProcStat.Parse(line)!.Value;
        Assert.Equal(4242, stat.Pid);
        Assert.Equal('S', stat.State);
        Assert.Equal(4200, stat.ParentPid);
        Assert.Equal(4200, stat.ProcessGroup);
        Assert.Equal(300, stat.OwnTicks);
        Assert.Equal(50, stat.ChildrenTicks);
        Assert.Equal(280, stat.UserTicks);
        Assert.Equal(70, stat.SystemTicks);
        Assert.Equal(2048, stat.RssPages);
        Assert.False(stat.IsZombie);
        Assert.True(ProcStat.Parse(line.Replace(") S ", ") Z ", StringComparison.Ordinal))!.Value.IsZombie);
    }

    [Fact]
    public void What_is_not_a_stat_line_is_refused()
    {
        Assert.Null(ProcStat.Parse(""));
        Assert.Null(ProcStat.Parse("12 (sh) S 1 2"));
        Assert.Null(ProcStat.Parse("x (sh) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22"));
        Assert.Null(ProcStat.Parse("12 (sh) S 1 2 3 4 5 6 7 8 9 10 x 12 13 14 15 16 17 18 19 20 21 22"));
        Assert.Null(ProcStat.Parse("12 (" + new string('a', 5000) + ") S"));
    }

    [Fact]
    public void This_process_s_own_stat_is_read_from_proc()
    {
        var stat = ProcStat.Read(Environment.ProcessId, new byte[1024])!.Value;
        Assert.Equal(Environment.ProcessId, stat.Pid);
        Assert.True(stat.RssPages > 0);
        Assert.True(ProcStat.TicksPerSecond > 0);
    }

    [Fact]
    public void Io_counts_are_the_storage_bytes_not_rchar_and_wchar()
    {
        const string io = "rchar: 5000000\nwchar: 3000000\nsyscr: 120\nsyscw: 80\n"
            + "read_bytes: 4096\nwrite_bytes: 1048576\ncancelled_write_bytes: 0\n";
        Assert.Equal((4096L, 1048576L), ProcIo.Parse(io));
        Assert.Null(ProcIo.Parse("rchar: 1\nwchar: 2\n"));
        Assert.NotNull(ProcIo.Read(Environment.ProcessId, new byte[1024]));
    }

    [Fact]
    public void Cgroup_cpu_stat_memory_peak_and_io_stat_are_read_as_cgroup_v2_writes_them()
    {
        using var temp = new Waybill.Tests.Support.TempFolder();
        // Recorded from a cgroup v2 on Linux 6.1 with the cpu, memory and io controllers on.
        temp.Write("cg/cpu.stat", "usage_usec 2512345\nuser_usec 2000000\nsystem_usec 512345\nnr_periods 0\nnr_throttled 0\n"
            + "throttled_usec 0\nnr_bursts 0\nburst_usec 0\n");
        temp.Write("cg/memory.peak", "209715200\n");
        temp.Write("cg/io.stat", "8:0 rbytes=1048576 wbytes=20971520 rios=16 wios=160 dbytes=0 dios=0\n"
            + "259:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
        var figures = CgroupFigures.Read(temp.Combine("cg"));
        Assert.Equal(new CgroupFigures(2000000, 512345, 209715200, 1052672, 20971520), figures);
    }

    [Fact]
    public void A_cgroup_figure_the_kernel_does_not_give_is_null()
    {
        using var temp = new Waybill.Tests.Support.TempFolder();
        // Before Linux 5.19 there is no memory.peak; with the io controller off io.stat is empty.
        temp.Write("cg/cpu.stat", "usage_usec 10\nuser_usec 6\nsystem_usec 4\n");
        temp.Write("cg/io.stat", "");
        var figures = CgroupFigures.Read(temp.Combine("cg"));
        Assert.Equal(new CgroupFigures(6, 4, null, null, null), figures);
        Assert.Null(CgroupFigures.ParsePeak("max\n"));
        Assert.Null(CgroupFigures.ParseIoStat("8:0 rios=1 wios=2\n"));
        Assert.Equal(new CgroupFigures(null, null, null, null, null), CgroupFigures.Read(temp.Combine("missing")));
    }

    [Fact]
    public void A_stage_retried_in_cgroups_is_charged_the_cpu_and_io_of_every_try_and_the_highest_peak()
    {
        using var temp = new Waybill.Tests.Support.TempFolder();
        // Two tries, each in a cgroup of its own (recorded as cgroup v2 writes them): the first failed after a long burn.
        temp.Write("try1/cpu.stat", "usage_usec 9000000\nuser_usec 8000000\nsystem_usec 1000000\n");
        temp.Write("try1/memory.peak", "524288000\n");
        temp.Write("try1/io.stat", "8:0 rbytes=3000000 wbytes=5000000 rios=1 wios=1 dbytes=0 dios=0\n");
        temp.Write("try2/cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n");
        temp.Write("try2/memory.peak", "104857600\n");
        temp.Write("try2/io.stat", "8:0 rbytes=1000 wbytes=2000 rios=1 wios=1 dbytes=0 dios=0\n");
        var tries = new List<(CgroupFigures?, bool)>
        {
            (CgroupFigures.Read(temp.Combine("try1")), true),
            (CgroupFigures.Read(temp.Combine("try2")), true),
        };
        var combined = StageResources.AcrossTries(tries)!;
        Assert.Equal(new CgroupFigures(9000000, 1500000, 524288000, 3001000, 5002000), combined);

        var resources = new Waybill.Core.Manifests.ResourceUsage();
        TimeSpan user = TimeSpan.FromSeconds(1), system = TimeSpan.Zero;
        long peak = 1;
        long? read = 0, write = 0;
        StageResources.FromCgroup(combined, ref user, ref system, ref peak, ref read, ref write, resources);
        Assert.Equal(9.0, user.TotalSeconds);
        Assert.Equal(1.5, system.TotalSeconds);
        Assert.Equal(524288000, peak);
        Assert.Equal((3001000L, 5002000L), (read!.Value, write!.Value));
        Assert.Equal("cgroup", resources.MeasuredBy);
    }

    [Fact]
    public void Cgroup_figures_are_left_out_when_a_try_ran_processes_outside_a_cgroup()
    {
        var counted = new CgroupFigures(6, 4, 100, 1, 2);
        // wait4 then counts every try; the one cgroup's figures would replace them and drop the other try.
        Assert.Null(StageResources.AcrossTries([(counted, true), (null, true)]));
        // A try that failed before it started anything ran nothing to count.
        Assert.Equal(counted, StageResources.AcrossTries([(null, false), (counted, true)]));
        // A figure one try's kernel did not give is not summed from the others.
        Assert.Equal(new CgroupFigures(12, 8, null, 2, 4), StageResources.AcrossTries([(counted, true), (counted with { PeakBytes = null }, true)]));
    }

    [Fact]
    public void This_machine_s_cgroup_is_reported_as_it_is()
    {
        // On cgroup v1 (this test machine) there is no v2 folder, so no stage gets a cgroup of its own and its figures
        // stay those of wait4 (measured_by: process).
        var own = CgroupPaths.OwnV2;
        if (own is null) Assert.Null(CgroupMemory.UsableParent(own));
        else Assert.True(Directory.Exists(own));
    }
}
