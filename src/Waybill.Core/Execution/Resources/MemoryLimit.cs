using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Waybill.Core.Pipeline.Controls;
using Waybill.Core.Processes;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// A command stage's <c>memory</c> as a limit. Where cgroup v2 lets Waybill make cgroups (<see cref="CgroupMemory"/>),
/// the command moves itself into one with <c>memory.max</c> before it runs, and a breach is certain: the kernel's
/// OOM killer counts it. Elsewhere the shell sets RLIMIT_AS (<c>ulimit -v</c>) before the command runs, so no
/// allocation races it; that limits the address space, which is more than resident memory, and a breach shows
/// only as a failed allocation, recognised from the command's last error lines (MemoryError, "Cannot allocate
/// memory", std::bad_alloc, …) or a peak RSS near the limit. A stage with <c>gpus</c> gets no RLIMIT_AS: GPU
/// libraries map far more address space than they use. WAYBILL_MEMORY_LIMIT=count turns limits off: memory is only counted.
/// </summary>
internal sealed partial class MemoryLimit : IDisposable
{
    public const string SettingVariable = "WAYBILL_MEMORY_LIMIT";

    private static readonly string? Setting = Environment.GetEnvironmentVariable(SettingVariable);
    private readonly CgroupMemory? _cgroup;

    private MemoryLimit(long bytes, CgroupMemory? cgroup)
    {
        Bytes = bytes;
        _cgroup = cgroup;
    }

    public long Bytes { get; }

    /// <summary>As recorded in <c>resources.memory_limit</c>: "cgroup" or "rlimit_as".</summary>
    public string Method => _cgroup is null ? "rlimit_as" : "cgroup";

    private string Described => $"{Quantities.FormatSize(Bytes)} ({(_cgroup is null ? "RLIMIT_AS" : "cgroup v2 memory.max")})";

    /// <summary>
    /// The limit for this command stage; null when it asks for no memory or its memory is only counted
    /// (<c>resources.memory_limit: none</c>, with the reason in stage.log).
    /// </summary>
    public static MemoryLimit? For(StageContext context)
    {
        var controls = context.Definition.Controls;
        if (controls.MemoryBytes is not { } bytes) return null;
        var usage = context.Manifest.Resources;
        if (Setting is { Length: > 0 } and not ("count" or "enforce"))
        {
            context.AddWarning($"{SettingVariable}='{Text.PrintableText.Of(Setting, 40)}' is neither 'enforce' nor 'count': "
                + "memory limits are enforced");
        }
        if (Setting == "count")
            return Unenforced(context, $"{SettingVariable}=count");
        var name = string.Create(CultureInfo.InvariantCulture, $"waybill-{Environment.ProcessId}-{context.StageId}-{Random.Shared.Next():x8}");
        var cgroup = CgroupMemory.TryCreate(name, bytes, out var noCgroup);
        // Not measured by a cgroup of its own, and why: marked, never left to be guessed from measured_by.
        usage.CgroupUnavailable = noCgroup;
        if (cgroup is null && controls.Gpus > 0)
        {
            return Unenforced(context,
                "no cgroup v2 here, and a stage with gpus gets no RLIMIT_AS (GPU libraries map far more address space than they use)");
        }
        var limit = new MemoryLimit(bytes, cgroup);
        usage.MemoryLimit = limit.Method;
        context.Logger.LogDebug("memory limit {Limit}", limit.Described);
        return limit;
    }

    private static MemoryLimit? Unenforced(StageContext context, string why)
    {
        context.Manifest.Resources.MemoryLimit = "none";
        context.Logger.LogDebug("memory {Size} is counted, not enforced: {Why}",
            Quantities.FormatSize(context.Definition.Controls.MemoryBytes ?? 0), why);
        return null;
    }

    /// <summary>
    /// The shell command with the limit set first, on the same line, so the command's own line numbers stay as written.
    /// </summary>
    public string Wrap(string command)
    {
        if (_cgroup is null)
            return string.Create(CultureInfo.InvariantCulture, $"ulimit -v {(Bytes + 1023) / 1024} 2>/dev/null; {command}");
        var procs = _cgroup.ProcsFile;
        return $"{{ echo $$ > '{procs}'; }} 2>/dev/null "
            + $"|| {{ echo 'waybill: cannot enter the cgroup {procs} that limits the memory' >&2; exit 125; }}; {command}";
    }

    /// <summary>
    /// Why a failed command failed, when its memory limit is the likely cause: "exceeded its memory limit of …"; a hint
    /// for a crash a failed allocation may explain; null when nothing points at memory.
    /// </summary>
    public string? Explain(ProcessResult result, IReadOnlyCollection<string> stderrTail, StageContext context)
    {
        if (result.ExitCode == 0 || result.Cancelled) return null;
        if (_cgroup is not null)
        {
            if (_cgroup.OomKills() == 0) return null;
            var peak = _cgroup.PeakBytes() is { } bytes ? $", peak {Quantities.FormatSize(bytes)}" : "";
            return Exceeded(context, $"the kernel stopped it (oom_kill{peak})");
        }
        var said = stderrTail.LastOrDefault(l => OutOfMemory().IsMatch(l));
        if (said is not null) return Exceeded(context, said.Trim());
        if (!result.PeakRssIsUpperBound && result.PeakRssBytes >= Bytes * 0.9)
            return Exceeded(context, $"its peak RSS was {Quantities.FormatSize(result.PeakRssBytes)}");
        if (result.Signal is 6 or 7 or 11)
            return $"was killed by signal {result.Signal}; it ran with a memory limit of {Described}, and a program that does not check "
                + "for a failed allocation crashes like this: if it needs more memory, raise memory";
        return null;
    }

    private string Exceeded(StageContext context, string evidence)
    {
        context.Manifest.Resources.MemoryLimitExceeded = true;
        return $"exceeded its memory limit of {Described}: {evidence}; raise memory if it needs more";
    }

    /// <summary>What the cgroup counted for the command's whole tree; null when the limit is not a cgroup.</summary>
    public CgroupFigures? Figures() => _cgroup is null ? null : CgroupFigures.Read(_cgroup.Directory);

    public void Dispose() => _cgroup?.Dispose();

    /// <summary>What allocation failures look like in Python, C, C++, Java, Go, Rust, NumPy and the C library's own messages.</summary>
    [GeneratedRegex(@"MemoryError|out of memory|cannot allocate memory|bad_alloc|OutOfMemory|(failed|unable) to allocate|allocation .*failed"
        + "|memory exhausted|could not reserve enough space|ENOMEM", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutOfMemory();
}
