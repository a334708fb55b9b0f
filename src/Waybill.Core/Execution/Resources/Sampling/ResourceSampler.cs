namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// Samples every running stage's process tree on one timer: one pass over /proc per tick for all stages together, not a
/// thread or a timer per stage. The timer ticks at the shortest interval any running stage asked for and each stage takes
/// a row when its own interval is due (the period follows the stages that are left when one ends); it stops while no stage
/// is sampled. The run that owns it disposes it, which stops nvidia-smi.
/// </summary>
internal sealed class ResourceSampler : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Lock _tickGate = new();
    private readonly TimeProvider _time;
    private readonly List<SampleWatch> _watches = [];
    private readonly Lazy<GpuMonitor> _gpu;
    private ITimer? _timer;
    private TimeSpan _period;

    /// <param name="path">Where nvidia-smi is looked for: the engine's PATH unless given.</param>
    public ResourceSampler(TimeProvider time, string? path = null)
    {
        _time = time;
        _gpu = new Lazy<GpuMonitor>(() => new GpuMonitor(path ?? Environment.GetEnvironmentVariable("PATH"), time));
    }

    /// <summary>Why no GPU can be measured on this machine; null when nvidia-smi is there and working.</summary>
    internal string? GpuUnavailable => _gpu.Value.Unavailable;

    /// <summary>
    /// Starts sampling a stage run into <paramref name="folder"/>. <paramref name="gpuDevices"/>: the GPUs to read for a stage
    /// that asked for some (empty: none was granted by name, so none is read), null for one that asked for none.
    /// <paramref name="newFolder"/>: the folder was just made, so no earlier file can be there.
    /// </summary>
    public SampleWatch Start(string folder, TimeSpan interval, IReadOnlyList<string>? gpuDevices, bool newFolder = false)
    {
        // A file from an earlier run of the stage would otherwise stand beside a manifest that does not name it.
        if (!newFolder)
        {
            try { File.Delete(Path.Combine(folder, ResourceSampling.FileName)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        var watch = new SampleWatch(this, folder, interval, _time.GetTimestamp(), gpuDevices);
        // The timer and the GPU stream serve every stage: they must not carry the execution context (and with it the
        // CPU meter, FlowCpuMeter) of the stage that happened to start them.
        using (ExecutionContext.SuppressFlow())
        {
            if (gpuDevices is { Count: > 0 }) _gpu.Value.Acquire(interval);
            lock (_gate)
            {
                _watches.Add(watch);
                if (_timer is null || interval < _period)
                {
                    _period = interval;
                    _timer ??= _time.CreateTimer(static state => ((ResourceSampler)state!).Tick(), this,
                        Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _timer.Change(interval, interval);
                }
            }
        }
        return watch;
    }

    /// <summary>The tick period, while any stage is sampled.</summary>
    internal TimeSpan? Period
    {
        get { lock (_gate) return _timer is null ? null : _period; }
    }

    internal void Remove(SampleWatch watch)
    {
        lock (_gate)
        {
            if (!_watches.Remove(watch)) return;
            if (_watches.Count == 0)
            {
                _timer?.Dispose();
                _timer = null;
            }
            else if (_watches.Min(w => w.Interval) is var shortest && shortest != _period)
            {
                _period = shortest;
                _timer?.Change(shortest, shortest);
            }
        }
        // Outside the lock: stopping nvidia-smi waits for it to exit, and other stages' starts should not wait on that.
        if (watch.GpuDevices is { Count: > 0 } && _gpu.IsValueCreated) _gpu.Value.Release(watch.Interval);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            _watches.Clear();
        }
        if (_gpu.IsValueCreated) _gpu.Value.Dispose();
    }

    /// <summary>One pass: the trees of the stages whose row is due, read together.</summary>
    private void Tick()
    {
        // A tick that meets a slow one still running is dropped rather than queued behind it.
        if (!_tickGate.TryEnter()) return;
        try
        {
            var now = _time.GetTimestamp();
            List<(SampleWatch Watch, double Elapsed)> due;
            lock (_gate)
            {
                due = [.. _watches.Select(w => (w, _time.GetElapsedTime(w.Started, now).TotalSeconds))
                    .Where(d => d.Item2 + (_period.TotalSeconds / 4) >= d.w.NextDue)];
            }
            if (due.Count == 0) return;
            foreach (var (watch, _) in due) watch.MarkStarted();
            var snapshots = due.Select(d => d.Watch.Snapshot()).ToList();
            var trees = ProcessTreeScan.Read([.. snapshots.Select(s => s.Roots)]);
            for (var index = 0; index < due.Count; index++)
            {
                var (watch, elapsed) = due[index];
                var gpus = watch.GpuDevices is { Count: > 0 } devices && _gpu.Value.Unavailable is null ? _gpu.Value.Read(devices) : null;
                watch.Record(elapsed, trees[index], gpus, snapshots[index].Generation);
            }
        }
        finally
        {
            _tickGate.Exit();
        }
    }
}
