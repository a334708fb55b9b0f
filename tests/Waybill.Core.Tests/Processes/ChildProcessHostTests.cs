using System.Diagnostics;
using System.Globalization;
using Waybill.Core.Processes;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

[Collection(nameof(SerialProcessTestsDefinition))]
public sealed class ChildProcessHostTests(ITestOutputHelper output)
{
    private static readonly string[] StdioAndListing = ["0", "1", "2", "3"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Runs_200_short_processes_two_at_a_time()
    {
        const int runs = 200;
        var spec = new ProcessSpec("/bin/true", [], "", Environment());
        await ChildProcess.RunAsync(spec, _ => { }, _ => { }, Token);

        var latencies = new double[runs];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(
            async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < runs)
                {
                    var started = Stopwatch.GetTimestamp();
                    var result = await ChildProcess.RunAsync(spec, _ => { }, _ => { }, Token);
                    latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    Assert.Equal(0, result.ExitCode);
                }
            },
            Token)));
        total.Stop();

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"ChildProcess: {runs} runs of /bin/true, 2 concurrent: {total.Elapsed.TotalMilliseconds / runs:F3} ms per spawn (throughput), {latencies.Average():F3} ms mean latency"));
        var processPerSpawn = await MeasureProcessAsync(runs);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"System.Diagnostics.Process for comparison: {processPerSpawn:F3} ms per spawn (throughput)"));
    }

    [Fact]
    public async Task Leaves_no_file_descriptors_behind_and_lets_the_child_inherit_only_stdio()
    {
        var spec = new ProcessSpec("/bin/ls", ["/proc/self/fd"], "", Environment());
        await CaptureAsync(spec, Token);
        var before = OpenDescriptors();

        CapturedRun? last = null;
        for (var i = 0; i < 50; i++)
        {
            last = await CaptureAsync(spec, Token);
        }

        await Assert.ThrowsAsync<ProcessStartException>(() => ChildProcess.RunAsync(new ProcessSpec("/bin/true", [], "/nonexistent", Environment()), _ => { }, _ => { }, Token));
        var after = OpenDescriptors();
        output.WriteLine($"inherited by every child: [{string.Join(", ", InheritableDescriptors())}]");

        // ls itself holds fd 3 open on the directory it lists; beyond stdio the child may only hold
        // descriptors this process itself inherited without close-on-exec (as System.Diagnostics.Process does).
        Assert.Equal(
            StdioAndListing.Concat(InheritableDescriptors()).Order(StringComparer.Ordinal),
            last!.Stdout.Order(StringComparer.Ordinal));
        Assert.Empty(last.Stderr);
        // Every descriptor open now was open before, on the same file: none was left by the 51 spawns. (A count of them
        // failed now and then when another test's descriptor was closed meanwhile, by a finalizer or a background flush.)
        Assert.Empty(after.Except(before));
    }

    /// <summary>This process's open descriptors as "number -> target", but for the one listing them.</summary>
    private static HashSet<string> OpenDescriptors()
    {
        var listing = $"/proc/{System.Environment.ProcessId}/fd";
        var open = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(path).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed since it was listed
            }
            if (target is not null && target != listing) open.Add($"{Path.GetFileName(path)} -> {target}");
        }
        return open;
    }

    [Fact]
    public async Task Process_and_ChildProcess_used_concurrently_do_not_disturb_each_other()
    {
        // Each side's children exit while the other side is waiting, so every SIGCHLD the runtime handles
        // coincides with exits of children it must leave alone, and wait4 runs while Process reaps its own.
        var longChild = ChildProcess.RunAsync(Shell("sleep 1; exit 42"), _ => { }, _ => { }, Token);
        using var longProcess = StartProcess("sleep 1; exit 43");

        var ours = Task.Run(
            async () =>
            {
                for (var i = 0; i < 30; i++)
                {
                    var result = await ChildProcess.RunAsync(Shell(FormattableString.Invariant($"sleep 0.0{i % 5}; exit {i + 1}")), _ => { }, _ => { }, Token);
                    Assert.Equal(i + 1, result.ExitCode);
                }
            },
            Token);
        var theirs = Task.Run(
            async () =>
            {
                for (var i = 0; i < 30; i++)
                {
                    using var process = StartProcess(FormattableString.Invariant($"sleep 0.0{(i + 2) % 5}; exit {i + 100}"));
                    await process.WaitForExitAsync(Token);
                    Assert.Equal(i + 100, process.ExitCode);
                }
            },
            Token);

        await Task.WhenAll(ours, theirs);
        await longProcess.WaitForExitAsync(Token);

        Assert.Equal(42, (await longChild).ExitCode);
        Assert.Equal(43, longProcess.ExitCode);
    }

    private static IEnumerable<string> InheritableDescriptors()
    {
        const int closeOnExec = 0x80000;
        foreach (var path in Directory.GetFiles("/proc/self/fdinfo"))
        {
            var fd = int.Parse(Path.GetFileName(path), CultureInfo.InvariantCulture);
            string flags;
            try
            {
                flags = File.ReadLines(path).First(l => l.StartsWith("flags:", StringComparison.Ordinal))["flags:".Length..].Trim();
            }
            catch (IOException)
            {
                continue;
            }

            if (fd > 3 && (Convert.ToInt32(flags, 8) & closeOnExec) == 0)
            {
                yield return fd.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    private static Process StartProcess(string script)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        return Process.Start(info) ?? throw new InvalidOperationException("Process.Start returned null");
    }

    private static async Task<double> MeasureProcessAsync(int runs)
    {
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(
            async () =>
            {
                while (Interlocked.Increment(ref next) < runs)
                {
                    using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
                    await process.WaitForExitAsync(Token);
                }
            },
            Token)));
        return total.Elapsed.TotalMilliseconds / runs;
    }
}
