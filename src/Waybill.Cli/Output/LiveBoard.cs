using System.Text;

namespace Waybill.Cli.Output;

/// <summary>
/// The live display under a run's log lines: the overall bar, then one bar per long stage that reports its progress
/// (with the time left). Log lines are printed above it through <see cref="Print"/>: the display is erased, the line
/// written (it may wrap: nothing moves back over it), and the display drawn again below. Every row of the display is
/// cut shorter than the terminal, so the display's height on screen is always its number of rows.
/// </summary>
internal sealed class LiveBoard : IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(200);
    private const string Spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

    private readonly Lock _gate = new();
    private readonly TextWriter _writer;
    private readonly bool _color;
    private readonly TimeProvider _time;
    private readonly Func<int> _width;
    private readonly LiveBar _overall;
    private readonly Dictionary<string, LiveBar> _stages = new(StringComparer.Ordinal);
    private readonly ITimer _timer;
    private int _drawn;
    private int _frame;
    private bool _stopped;

    public LiveBoard(TextWriter writer, bool color, TimeProvider time, Func<int> width, string description, long total)
    {
        (_writer, _color, _time, _width) = (writer, color, time, width);
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
            if (!_stopped) Draw(frame);
            Write(frame);
        }
    }

    public void Overall(string description, long done)
    {
        lock (_gate)
        {
            _overall.Description = description;
            _overall.Set(done, Math.Max(done, _overall.Total), _time.GetTimestamp());
            Redraw();
        }
    }

    /// <summary>A stage's own count; its bar goes when the count is complete or the stage ends (<see cref="Finished"/>).</summary>
    public void Stage(string stageId, long done, long total, string unit)
    {
        lock (_gate)
        {
            if (done >= total)
            {
                _stages.Remove(stageId);
            }
            else
            {
                if (!_stages.TryGetValue(stageId, out var bar))
                    _stages[stageId] = bar = new LiveBar("", total, _time.GetTimestamp()) { ShowsTimeLeft = true };
                bar.Description = $"  {stageId}: {done:N0}/{total:N0} {unit}";
                bar.Set(done, total, _time.GetTimestamp());
            }
            Redraw();
        }
    }

    public void Finished(string stageId)
    {
        lock (_gate)
        {
            if (_stages.Remove(stageId)) Redraw();
        }
    }

    /// <summary>Erases the display for good (the summary table follows).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            _stopped = true;
            var frame = new StringBuilder();
            Erase(frame);
            frame.Append("\u001b[?25h");
            Write(frame);
        }
    }

    private void Tick()
    {
        try
        {
            lock (_gate)
            {
                _frame++;
                Redraw();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The terminal went away: the run goes on, its logs and records are elsewhere.
        }
    }

    private void Redraw()
    {
        if (_stopped) return;
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
        var now = _time.GetTimestamp();
        frame.Append("\u001b[?25l");
        var elapsed = LiveRow.Duration(_time.GetElapsedTime(_overall.StartedAt, now)) + " " + Spinner[_frame % Spinner.Length];
        frame.Append(LiveRow.Format(_overall.Description, _overall.Done, _overall.Total, elapsed, width, _color));
        _drawn = 1;
        foreach (var bar in _stages.Values)
        {
            var left = bar.TimeLeft(now, _time) is { } time ? "ETA " + LiveRow.Duration(time) : "ETA -:--";
            frame.Append('\n').Append(LiveRow.Format(bar.Description, bar.Done, bar.Total, left, width, _color));
            _drawn++;
        }
    }

    private void Write(StringBuilder frame)
    {
        _writer.Write(frame.ToString());
        _writer.Flush();
    }
}
