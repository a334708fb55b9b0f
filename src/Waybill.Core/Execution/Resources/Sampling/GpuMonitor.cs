using System.Diagnostics;
using System.Globalization;

namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// The latest reading of every NVIDIA device, from one <c>nvidia-smi --query-gpu … -lms N</c> that streams a line per device
/// every interval while any stage that asked for a GPU runs: one long-lived process rather than one per sample (a start of
/// nvidia-smi costs tens of milliseconds of CPU). Where nvidia-smi is not on PATH there is none, and
/// <see cref="Unavailable"/> says so.
/// </summary>
internal sealed class GpuMonitor : IDisposable
{
    private readonly Lock _gate = new();
    private readonly string? _program;
    private readonly Dictionary<string, GpuReading> _latest = new(StringComparer.Ordinal);
    private Process? _process;
    private string? _failure;
    private int _users;

    public GpuMonitor(string? path) =>
        _program = Processes.ChildProcess.ResolveOnPath("nvidia-smi", path);

    /// <summary>Why no GPU figure can be taken; null when nvidia-smi is there and has not failed.</summary>
    public string? Unavailable
    {
        get
        {
            if (_program is null) return "nvidia-smi is not on PATH: no NVIDIA driver on this machine, so no GPU figure can be measured";
            lock (_gate) return _failure;
        }
    }

    /// <summary>Starts the stream (if not running) for one more stage; <see cref="Release"/> ends it after the last.</summary>
    public void Acquire(TimeSpan interval)
    {
        if (_program is null) return;
        lock (_gate)
        {
            _users++;
            if (_process is not null) return;
            var milliseconds = Math.Max(100, (int)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            var start = new ProcessStartInfo(_program, ["--query-gpu=" + NvidiaSmiCsv.Query, "--format=csv,noheader,nounits", "-lms", milliseconds])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            try
            {
                _process = Process.Start(start);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                _failure = $"nvidia-smi could not start: {e.Message}";
                return;
            }
            if (_process is null) return;
            _process.OutputDataReceived += (_, line) => Take(line.Data);
            _process.ErrorDataReceived += (_, line) => Failed(line.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }
    }

    public void Release()
    {
        Process? ending = null;
        lock (_gate)
        {
            if (_users == 0) return;
            _users--;
            if (_users > 0) return;
            (ending, _process) = (_process, null);
            _latest.Clear();
        }
        Stop(ending);
    }

    /// <summary>The latest reading of each device that <paramref name="devices"/> names (all devices when it is empty).</summary>
    public IReadOnlyList<GpuReading> Read(IReadOnlyList<string> devices)
    {
        lock (_gate)
        {
            return devices.Count == 0 ? [.. _latest.Values] : [.. _latest.Values.Where(r => devices.Any(r.Is))];
        }
    }

    public void Dispose()
    {
        Process? ending;
        lock (_gate)
        {
            (ending, _process) = (_process, null);
            _users = 0;
        }
        Stop(ending);
    }

    private void Take(string? line)
    {
        if (line is null || NvidiaSmiCsv.ParseLine(line) is not { } reading) return;
        lock (_gate) _latest[reading.Index] = reading;
    }

    private void Failed(string? line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        lock (_gate) _failure ??= $"nvidia-smi failed: {Text.PrintableText.Of(line.Trim(), 200)}";
    }

    private static void Stop(Process? process)
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit(1000);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
        process.Dispose();
    }
}
