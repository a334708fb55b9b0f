using System.Text;

namespace Waybill.Cli.Output;

/// <summary>
/// The live display under a run's log lines: the overall bar, then one bar per long stage that reports its progress
/// (with the time left). Log lines are printed above it through <see cref="Print"/>: the display is erased, the line
/// written (it may wrap: nothing moves back over it), and the display drawn again below. Every row of the display is
/// cut shorter than the terminal, so the display's height on screen is always its number of rows, and there are never
/// more rows than the terminal has lines (the rest are counted in a "+N more" row).
/// Progress reports only record state, under a short lock and without touching the terminal: stages report once per unit
/// of work (a million reports must not be a million frames), and a terminal paused by the user must not stall them. The
/// 200 ms timer draws. A failing write (terminal gone) stops the display for good, with one note, and reaches no stage.
/// </summary>
internal sealed class LiveBoard : IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(200);
    private const string Spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

    /// <summary>Guards the bars (what progress reports change).</summary>
    private readonly Lock _state = new();
    /// <summary>Guards the terminal and what is on it (<see cref="_drawn"/>): held while writing, never by a report.</summary>
    private readonly Lock _gate = new();
    private readonly TextWriter _writer;
    private readonly bool _color;
    private readonly TimeProvider _time;
    private readonly Func<int> _width;
    private readonly Func<int> _height;
    private readonly Action<string> _note;
    private readonly LiveBar _overall;
    private readonly Dictionary<string, LiveBar> _stages = new(StringComparer.Ordinal);
    private readonly ITimer _timer;
    private int _drawn;
    private int _frame;
    private bool _stopped;
    private bool _failed;

    /// <param name="note">Told once, why the display stopped, when writing to the terminal failed.</param>
    public LiveBoard(TextWriter writer, bool color, TimeProvider time, Func<int> width, Func<int> height, string description,
        long total, Action<string> note)
    {
        (_writer, _color, _time, _width, _height, _note) = (writer, color, time, width, height, note);
        _overall = new LiveBar(description, total, time.GetTimestamp());
        _timer = time.CreateTimer(_ => Tick(), null, Refresh, Refresh);
    }

    /// <summary>A log line (already coloured), printed above the display.</summary>
    public void Print(string line)
    {
        lock (_gate)
        {
            var frame = new StringBuilder(line.Length + 256);
            Erase(frame);
            frame.Append(line).Append('\n');
            if (!_stopped && !_failed) Draw(frame);
            Write(frame);
        }
    }

    public void Overall(string description, long done)
    {
        lock (_state)
        {
            _overall.Description = description;
            _overall.Set(done, Math.Max(done, _overall.Total), _time.GetTimestamp());
        }
    }

    /// <summary>A stage's own count; its bar goes when the count is complete or the stage ends (<see cref="Finished"/>).</summary>
    public void Stage(string stageId, long done, long total, string unit)
    {
        lock (_state)
        {
            if (done >= total)
            {
                _stages.Remove(stageId);
            }
            else
            {
                // Nothing formatted here: a stage may report a million times between two frames.
                if (!_stages.TryGetValue(stageId, out var bar))
                    _stages[stageId] = bar = new LiveBar(stageId, total, _time.GetTimestamp());
                bar.Unit = unit;
                bar.Set(done, total, _time.GetTimestamp());
            }
        }
    }

    public void Finished(string stageId)
    {
        lock (_state) _stages.Remove(stageId);
    }

    /// <summary>Erases the display for good (the summary table follows).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
            if (_failed) return;
            var frame = new StringBuilder();
            Erase(frame);
            frame.Append("\u001b[?25h");
            Write(frame);
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            _frame++;
            Redraw();
        }
    }

    private void Redraw()
    {
        if (_stopped || _failed) return;
        var frame = new StringBuilder(512);
        Erase(frame);
        Draw(frame);
        Write(frame);
    }

    /// <summary>Back to the display's first row, and everything from there down cleared.</summary>
    private void Erase(StringBuilder frame)
    {
        if (_drawn == 0) return;
        frame.Append('\r');
        if (_drawn > 1) frame.Append("\u001b[").Append(_drawn - 1).Append('A');
        frame.Append("\u001b[J");
        _drawn = 0;
    }

    private void Draw(StringBuilder frame)
    {
        var width = _width();
        // Rows above the display keep the log lines in view: the display takes at most the terminal's height less one.
        var rows = Math.Max(1, _height() - 1);
        var now = _time.GetTimestamp();
        frame.Append("\u001b[?25l");
        lock (_state)
        {
            var elapsed = LiveRow.Duration(_time.GetElapsedTime(_overall.StartedAt, now)) + " " + Spinner[_frame % Spinner.Length];
            frame.Append(LiveRow.Format(_overall.Description, _overall.Done, _overall.Total, elapsed, width, _color));
            _drawn = 1;
            // With more bars than rows, the last row counts the bars left out.
            var shown = _stages.Count <= rows - 1 ? _stages.Count : Math.Max(0, rows - 2);
            foreach (var bar in _stages.Values.Take(shown))
            {
                var left = bar.TimeLeft(now, _time) is { } time ? "ETA " + LiveRow.Duration(time) : "ETA -:--";
                var description = $"  {bar.Description}: {bar.Done:N0}/{bar.Total:N0} {bar.Unit}";
                frame.Append('\n').Append(LiveRow.Format(description, bar.Done, bar.Total, left, width, _color));
                _drawn++;
            }
            if (shown < _stages.Count && rows > 1)
            {
                frame.Append('\n').Append(LiveRow.Cut($"  +{_stages.Count - shown} more", Math.Max(1, width - 1)));
                _drawn++;
            }
        }
    }

    private void Write(StringBuilder frame)
    {
        try
        {
            _writer.Write(frame.ToString());
            _writer.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            if (_failed) return;
            // The terminal went away: the run goes on (its logs and records are elsewhere); the display stops for good.
            _failed = true;
            _drawn = 0;
            _note($"the live display stopped: writing to the terminal failed ({e.Message})");
        }
    }
}
