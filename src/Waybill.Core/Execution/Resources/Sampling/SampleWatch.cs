using System.Globalization;
using System.Text;
using Waybill.Core.Manifests;
using Waybill.Core.Processes;

namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// The sampling of one stage run: the processes it started (<see cref="AddRoot"/>), and a row in its samples file per
/// interval (<see cref="ResourceSampling.FileName"/>, the format docs/manifest.md gives). The file is made at the first
/// row, one interval after the start, so a stage shorter than one interval has none.
/// </summary>
internal sealed class SampleWatch : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ResourceSampler _owner;
    private readonly string _path;
    private readonly long _started;
    private readonly HashSet<int> _roots = [];
    private readonly IReadOnlyList<string>? _gpuDevices;
    private long _finishedTicks;
    private long _finishedRead;
    private long _finishedWrite;
    private int _generation;
    private bool _anyIo;
    private double _lastElapsed;
    private long _lastTicks;
    private int _rows;
    private long _peakRss;
    private long? _read;
    private long? _write;
    private StreamWriter? _writer;
    private bool _stopped;
    private string? _writeProblem;
    private readonly GpuTally _gpu = new();

    /// <summary>
    /// Why a stage that asked for GPUs but was granted none by name gets no GPU figure: the machine's devices may be
    /// another stage's, and crediting them to this one would be made up.
    /// </summary>
    internal const string DevicesUnknown = "devices unknown: the stage was granted no GPU by name (no CUDA_VISIBLE_DEVICES), "
        + "so no device's figures can be credited to it";

    internal SampleWatch(ResourceSampler owner, string folder, TimeSpan interval, long started, IReadOnlyList<string>? gpuDevices)
    {
        _owner = owner;
        _path = Path.Combine(folder, ResourceSampling.FileName);
        Interval = interval;
        _started = started;
        _gpuDevices = gpuDevices;
        NextDue = interval.TotalSeconds;
    }

    public TimeSpan Interval { get; }

    /// <summary>Seconds since the start at which the next row is due.</summary>
    internal double NextDue { get; private set; }

    /// <summary>The GPUs to read (empty: none was granted by name); null when the stage asked for none.</summary>
    internal IReadOnlyList<string>? GpuDevices => _gpuDevices;

    internal long Started => _started;

    /// <summary>A process the stage started: it and what it starts are sampled from now on.</summary>
    public void AddRoot(int pid)
    {
        lock (_gate) _roots.Add(pid);
    }

    /// <summary>A process of the stage ended: what it used is carried on, so the figures of the rows do not drop.</summary>
    public void RootEnded(ProcessResult result)
    {
        lock (_gate)
        {
            if (!_roots.Remove(result.ProcessId)) return;
            _finishedTicks += (long)((result.UserCpu + result.SystemCpu).TotalSeconds * ProcStat.TicksPerSecond);
            _finishedRead += result.ReadBytes;
            _finishedWrite += result.WriteBytes;
            _generation++;
        }
    }

    /// <summary>
    /// The processes to read, and the count of ended ones at that moment: a row whose tree was read before a root ended is
    /// dropped, since the ended root's figures are then both in the tree and carried on.
    /// </summary>
    internal (IReadOnlyCollection<int> Roots, int Generation) Snapshot()
    {
        lock (_gate) return ([.. _roots], _generation);
    }

    /// <summary>True when a process has been started: a stage that runs none (C# code alone) has nothing to sample.</summary>
    internal bool HasStarted { get; private set; }

    internal void MarkStarted()
    {
        lock (_gate) HasStarted |= _roots.Count > 0 || _finishedTicks > 0;
    }

    /// <summary>
    /// Writes one row from the tree's figures at <paramref name="elapsed"/> seconds, read from the roots of
    /// <paramref name="generation"/>; when a root has ended since, the row is left to the next tick.
    /// </summary>
    internal void Record(double elapsed, TreeFigures tree, IReadOnlyList<GpuReading>? gpus, int generation)
    {
        lock (_gate)
        {
            if (_stopped || generation != _generation) return;
            NextDue = Math.Max(NextDue + Interval.TotalSeconds, elapsed + (Interval.TotalSeconds / 2));
            if (!HasStarted) return;
            var ticks = tree.CpuTicks + _finishedTicks;
            var seconds = elapsed - _lastElapsed;
            var cpu = seconds > 0 ? Math.Max(0, ticks - _lastTicks) / (double)ProcStat.TicksPerSecond / seconds * 100 : 0;
            (_lastElapsed, _lastTicks) = (elapsed, Math.Max(ticks, _lastTicks));
            _peakRss = Math.Max(_peakRss, tree.RssBytes);
            if (tree.ReadBytes is not null || _finishedRead > 0 || _finishedWrite > 0) _anyIo = true;
            // Cumulative: never below an earlier row, though a process that ended unwaited-for drops out of the sums.
            if (_anyIo)
            {
                _read = Math.Max(_read ?? 0, (tree.ReadBytes ?? 0) + _finishedRead);
                _write = Math.Max(_write ?? 0, (tree.WriteBytes ?? 0) + _finishedWrite);
            }
            var gpu = gpus is null ? null : _gpu.Add(gpus);
            var c = CultureInfo.InvariantCulture;
            var row = new StringBuilder()
                .Append(c, $"{elapsed:0.000}\t{cpu:0.0}\t{tree.RssBytes / 1048576.0:0.00}\t")
                .Append(c, $"{_read?.ToString(c)}\t{_write?.ToString(c)}\t")
                .Append(c, $"{gpu?.Percent?.ToString("0.0", c)}\t{gpu?.MemoryMb?.ToString("0", c)}")
                .ToString();
            Write(row);
        }
    }

    /// <summary>Ends the sampling; the file holds every row written.</summary>
    public SampleSummary Stop()
    {
        _owner.Remove(this);
        lock (_gate)
        {
            _stopped = true;
            _writer?.Dispose();
            _writer = null;
            var samples = _rows == 0 ? null
                : new ResourceSamples { File = ResourceSampling.FileName, IntervalSeconds = Interval.TotalSeconds, Count = _rows };
            GpuUsage? gpu = null;
            if (_gpuDevices is { Count: 0 }) gpu = new GpuUsage { Available = false, Reason = _owner.GpuUnavailable ?? DevicesUnknown };
            else if (_gpuDevices is not null) gpu = _gpu.Usage(_owner.GpuUnavailable, _rows, Interval);
            return new SampleSummary(samples, _peakRss, _read, _write, gpu);
        }
    }

    /// <summary>Stops a sampling that <see cref="Stop"/> did not (a stage whose records failed to write).</summary>
    public void Dispose() => Stop();

    internal string? WriteProblem
    {
        get { lock (_gate) return _writeProblem; }
    }

    private void Write(string row)
    {
        if (_writeProblem is not null) return;
        try
        {
            if (_writer is null)
            {
                _writer = new StreamWriter(new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
                _writer.Write(ResourceSampling.Header + "\n");
            }
            _writer.Write(row + "\n");
            // Each row reaches the file as it is taken: a report or `tail -f` can draw the curve while the stage runs.
            _writer.Flush();
            _rows++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _writeProblem = $"resource samples could not be written to {_path}: {e.Message}";
        }
    }
}
