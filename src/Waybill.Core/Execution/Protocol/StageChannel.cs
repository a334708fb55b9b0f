using Waybill.Core.Processes;

namespace Waybill.Core.Execution.Protocol;

/// <summary>
/// The control channel of one stage attempt (docs/stage-protocol.md): the file WAYBILL_STAGE_CHANNEL names, to which
/// the stage's processes append one JSON message per line. It is read every <see cref="PollPeriod"/> while the stage
/// runs, so its log lines reach the logs as they come, and once more when the stage's work ends; then it is removed.
/// A stage that sends nothing costs an lstat before it starts, a timer, and one lstat at the end.
/// </summary>
internal sealed class StageChannel : IDisposable
{
    /// <summary>The variable that names the channel file to a stage's processes.</summary>
    public const string Variable = "WAYBILL_STAGE_CHANNEL";

    /// <summary>How often the channel is read while the stage runs.</summary>
    public static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly ChannelReader _reader;
    private readonly ProtocolMerge _merge;
    private readonly ITimer _timer;
    private Exception? _failure;
    private bool _closed;
    private long _lastLook = -1;

    private StageChannel(StageContext context, string path, OutputLimits limits)
    {
        Path = path;
        _reader = new ChannelReader(path);
        var bytes = limits.KeepsAll ? long.MaxValue : limits.HeadBytes + limits.TailBytes;
        _merge = new ProtocolMerge(context, bytes, limits.KeepsAll ? long.MaxValue : bytes / OutputLimits.LineOverheadBytes);
        _timer = context.Time.CreateTimer(static state => ((StageChannel)state!).Poll(), this, PollPeriod, PollPeriod);
    }

    public string Path { get; }

    /// <summary>Opens the channel of the context's stage: its folder made, a file left there by a killed run removed.</summary>
    public static StageChannel Open(StageContext context, OutputLimits limits)
    {
        var path = context.Layout.ChannelPath(context.StageId);
        if (context.Folders is { } folders) folders.Ensure(context.Layout.ChannelsDir);
        else Directory.CreateDirectory(context.Layout.ChannelsDir);
        // A killed attempt may have left its channel: those lines are not this attempt's.
        IO.PathEntry.Remove(path);
        return new StageChannel(context, path, limits);
    }

    /// <summary>
    /// Reads what the stage sent before an output line that is about to be logged, so stage.log keeps the order in which
    /// a process wrote to its channel and to stderr. Once the file is open a read that finds nothing is one pread; until
    /// it exists it is looked for at most once a millisecond, so a stage that never uses its channel pays nothing per line.
    /// </summary>
    public void CatchUp()
    {
        if (!_reader.IsOpen)
        {
            var now = Environment.TickCount64;
            if (Interlocked.Exchange(ref _lastLook, now) == now) return;
        }
        Read(wait: true);
    }

    /// <summary>Reads what is there now; from the timer, so it never waits for a read in progress and never throws.</summary>
    private void Poll() => Read(wait: false);

    private void Read(bool wait)
    {
        if (wait) _gate.Enter();
        else if (!_gate.TryEnter()) return;
        try
        {
            if (!_closed && _failure is null)
            {
                _reader.Read(_merge);
                _merge.Flush();
            }
        }
#pragma warning disable CA1031 // A timer callback that throws ends the process: the failure is reported when the channel closes.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure = e;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Stops the polling, reads the rest (a last line without its newline is reported as cut off), adds the summing-up
    /// warnings and removes the file. Called once the stage's processes have exited; later calls do nothing.
    /// </summary>
    public void Close()
    {
        _timer.Dispose();
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
            try
            {
                if (_failure is null) _reader.Finish(_merge);
            }
#pragma warning disable CA1031 // Bad input or a failing read never fails the engine: it becomes a warning.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _failure ??= e;
            }
            if (_failure is not null)
                _merge.Bad(0, $"reading it failed ({_failure.GetType().Name}: {_failure.Message}); messages after that point are lost");
            _merge.Finish();
            _reader.Dispose();
            try
            {
                // Not there at the last look: nothing to remove (a process that outlived its group and writes later leaves
                // a file the next attempt removes before it starts).
                if (_reader.Found || _failure is not null) IO.PathEntry.Remove(Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _merge.Bad(0, $"could not be removed ({e.Message}); the next run of the stage removes it");
            }
        }
    }

    public void Dispose() => Close();
}
