using System.Diagnostics;
using System.Globalization;

namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// The latest reading of every NVIDIA device, from one <c>nvidia-smi --query-gpu … -lms N</c> that streams a line per device
/// every interval while any stage that asked for a GPU runs: one long-lived process rather than one per sample (a start of
/// nvidia-smi costs tens of milliseconds of CPU). The stream runs at the shortest interval any of its stages asked for and
/// is restarted when that changes. A reading older than two stream intervals is dropped, so a stream that stopped or hangs
/// never passes old figures off as current. Where nvidia-smi is not on PATH there is none, and <see cref="Unavailable"/>
/// says so.
/// </summary>
internal sealed class GpuMonitor : IDisposable
{
    /// <summary>The shortest stream interval nvidia-smi is asked for.</summary>
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The least age a reading may reach before it is dropped: a query of every device takes tens of milliseconds and the
    /// line then travels through a pipe, so a stream at 100 ms can deliver its lines later than 200 ms apart.
    /// </summary>
    private static readonly TimeSpan MinimumStaleness = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly string? _program;
    private readonly Dictionary<string, (GpuReading Reading, long At)> _latest = new(StringComparer.Ordinal);
    private readonly List<TimeSpan> _intervals = [];
    private Process? _process;
    // A stream that ended by itself, kept until the next one ends or the monitor is disposed: its pipes close with it.
    private Process? _ended;
    private TimeSpan _streamInterval;
    private string? _failure;
    private string? _lastError;

    public GpuMonitor(string? path, TimeProvider? time = null)
    {
        _program = Processes.ChildProcess.ResolveOnPath("nvidia-smi", path);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Why no GPU figure can be taken; null when nvidia-smi is there and has not failed since it was last started.</summary>
    public string? Unavailable
    {
        get
        {
            if (_program is null) return "nvidia-smi is not on PATH: no NVIDIA driver on this machine, so no GPU figure can be measured";
            lock (_gate) return _failure;
        }
    }

    /// <summary>The interval the running stream was started with; null when none runs.</summary>
    internal TimeSpan? StreamInterval
    {
        get
        {
            lock (_gate) return _process is null ? null : _streamInterval;
        }
    }

    /// <summary>The running nvidia-smi process, if any.</summary>
    internal object? CurrentStream
    {
        get
        {
            lock (_gate) return _process;
        }
    }

    /// <summary>
    /// Starts the stream for one more stage (or restarts it, when it stopped or runs slower than <paramref name="interval"/>);
    /// <see cref="Release"/> with the same interval ends that stage's share.
    /// </summary>
    public void Acquire(TimeSpan interval)
    {
        if (_program is null) return;
        Process? ending;
        lock (_gate)
        {
            _intervals.Add(Clamp(interval));
            var wanted = _intervals.Min();
            if (_process is not null && wanted >= _streamInterval) return;
            ending = _process;
            StartLocked(wanted);
        }
        Stop(ending);
    }

    /// <summary>Ends one stage's share: the stream stops after the last, and slows down when the fastest stage left.</summary>
    public void Release(TimeSpan interval)
    {
        if (_program is null) return;
        Process? ending;
        lock (_gate)
        {
            if (!_intervals.Remove(Clamp(interval))) return;
            if (_intervals.Count == 0)
            {
                (ending, _process) = (_process, null);
                _latest.Clear();
            }
            else if (_process is not null && _intervals.Min() > _streamInterval)
            {
                ending = _process;
                StartLocked(_intervals.Min());
            }
            else return;
        }
        Stop(ending);
    }

    /// <summary>
    /// The latest reading of each device that <paramref name="devices"/> names, if it is recent: taken within two stream
    /// intervals (at least <see cref="MinimumStaleness"/>).
    /// </summary>
    public IReadOnlyList<GpuReading> Read(IReadOnlyList<string> devices)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            var fresh = Max(_streamInterval * 2, MinimumStaleness);
            return [.. _latest.Values.Where(r => _time.GetElapsedTime(r.At, now) <= fresh && devices.Any(r.Reading.Is)).Select(r => r.Reading)];
        }
    }

    public void Dispose()
    {
        Process? ending, ended;
        lock (_gate)
        {
            (ending, _process, ended, _ended) = (_process, null, _ended, null);
            _intervals.Clear();
            _latest.Clear();
        }
        Stop(ending);
        Stop(ended);
    }

    /// <summary>A line of the stream: a device's reading, stamped with when it came.</summary>
    internal void Take(string? line)
    {
        if (line is null || NvidiaSmiCsv.ParseLine(line) is not { } reading) return;
        var at = _time.GetTimestamp();
        lock (_gate) _latest[reading.Index] = (reading, at);
    }

    /// <summary>
    /// A line on stderr is kept to explain a stop, never taken as one by itself: nvidia-smi warns about a device it cannot
    /// read and goes on streaming the others.
    /// </summary>
    internal void Complained(string? line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        lock (_gate) _lastError = Text.PrintableText.Of(line.Trim(), 200);
    }

    /// <summary>The stream <paramref name="process"/> ended by itself: no reading is current any more, and it is said why.</summary>
    internal void Ended(object? process, int? exitCode)
    {
        Process? ending, earlier;
        lock (_gate)
        {
            if (!ReferenceEquals(process, _process)) return;
            (ending, _process, earlier, _ended) = (_process, null, _ended, _process);
            _latest.Clear();
            var code = exitCode is { } c ? $" with exit code {c.ToString(CultureInfo.InvariantCulture)}" : "";
            _failure = $"nvidia-smi stopped{code}" + (_lastError is { } error ? $": {error}" : "");
        }
        // Called from the process's own Exited event, which a wait or a dispose here could hold up: only a kill, in case
        // it was told ended while still running.
        try
        {
            if (ending is { HasExited: false }) ending.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
        earlier?.Dispose();
    }

    private void StartLocked(TimeSpan interval)
    {
        (_process, _streamInterval, _failure, _lastError) = (null, interval, null, null);
        var milliseconds = ((int)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(_program!, ["--query-gpu=" + NvidiaSmiCsv.Query, "--format=csv,noheader,nounits", "-lms", milliseconds])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            _failure = $"nvidia-smi could not start: {e.Message}";
            return;
        }
        if (process is null) return;
        _process = process;
        process.OutputDataReceived += (_, line) => Take(line.Data);
        process.ErrorDataReceived += (_, line) => Complained(line.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (sender, _) => Ended(sender, ExitCodeOf(sender as Process));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private static int? ExitCodeOf(Process? process)
    {
        try
        {
            return process?.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static TimeSpan Clamp(TimeSpan interval) => Max(interval, MinimumInterval);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

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
