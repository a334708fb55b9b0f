using Waybill.Cli.Output;
using Waybill.Core.Jobs;

namespace Waybill.Cli.Viewer;

/// <summary>
/// <c>waybill logs JOB --tui</c>: a full-screen viewer of a job's logs. Stages on the left, the selected log on the
/// right; keys move, page, search (<c>/</c>, <c>n</c>), jump to the next error (<c>e</c>), filter by level (<c>l</c>) and
/// stage (<c>s</c>), follow a running job (<c>f</c>) and quit (<c>q</c>). See docs/observability.md.
/// </summary>
internal sealed class LogViewer(JobLayout layout, TextWriter output, TimeProvider time, bool color)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StatusEvery = TimeSpan.FromSeconds(1);
    private static readonly LogSearch Errors = new(["] [ERROR] ", "] [CRITICAL] "], ignoreCase: false);

    private readonly ViewerState _state = new() { JobId = layout.JobId, JobRoot = layout.Root };
    private (int Width, int Height) _size;
    private long _statusReadAt;
    private (long, DateTime, long, DateTime) _recordsStamp;

    public async Task RunAsync(string? startStage, LevelFilter level, bool follow, CancellationToken cancellationToken)
    {
        var state = _state;
        (state.Level, state.Follow) = (level, follow);
        ReadEntries();
        if (startStage is not null
            && state.Entries.FindIndex(e => e.Label.Trim() == startStage || e.Category == "stage." + startStage) is >= 0 and var at)
            state.Selected = at;
        Open();
        using var terminal = RawTerminal.Start(output);
        // Standard input as the file it is: Console.OpenStandardInput on a terminal edits and echoes a whole line before
        // it returns any of it, and the viewer needs each key as it is pressed.
        using var input = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0);
        using var keys = new KeyReader(input);
        Draw();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!await keys.WaitAsync(Tick, time, cancellationToken)) return;
                var changed = false;
                while (keys.TryRead(out var key))
                {
                    if (!Handle(key, keys)) return;
                    changed = true;
                }
                changed |= Poll();
                if (changed) Draw();
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: the terminal is put back as on 'q'.
        }
        finally
        {
            state.View?.File.Dispose();
        }
    }

    /// <summary>Handles one key; false to quit.</summary>
    private bool Handle(ViewerKey key, KeyReader keys)
    {
        var state = _state;
        if (state.Prompt is { } prompt)
        {
            switch (key.Kind)
            {
                case ViewerKeyKind.Enter:
                    state.Prompt = null;
                    state.Search = prompt.Length > 0 ? prompt : state.Search;
                    if (state.Search is { } term) Find(new LogSearch([term], ignoreCase: true), $"'{term}'", keys);
                    break;
                case ViewerKeyKind.Escape: state.Prompt = null; break;
                case ViewerKeyKind.Backspace: state.Prompt = prompt.Length > 0 ? prompt[..^1] : prompt; break;
                case ViewerKeyKind.Char: state.Prompt = prompt + key.Char; break;
            }
            return true;
        }
        state.Message = "";
        var page = ViewerScreen.PaneRows(_size.Height);
        switch (key.Kind)
        {
            case ViewerKeyKind.Char when key.Char == 'q': return false;
            case ViewerKeyKind.Up: Move(-1); break;
            case ViewerKeyKind.Down: Move(1); break;
            case ViewerKeyKind.Char when key.Char == 'k': Move(-1); break;
            case ViewerKeyKind.Char when key.Char == 'j': Move(1); break;
            case ViewerKeyKind.PageUp: Move(-page); break;
            case ViewerKeyKind.PageDown or ViewerKeyKind.Char when key.Kind == ViewerKeyKind.PageDown || key.Char == ' ': Move(page); break;
            case ViewerKeyKind.Home or ViewerKeyKind.Char when key.Kind == ViewerKeyKind.Home || key.Char == 'g': Move(int.MinValue / 2); break;
            case ViewerKeyKind.End or ViewerKeyKind.Char when key.Kind == ViewerKeyKind.End || key.Char == 'G': ToEnd(); break;
            case ViewerKeyKind.Left: state.Shift = Math.Max(0, state.Shift - 8); break;
            case ViewerKeyKind.Right: state.Shift += 8; break;
            case ViewerKeyKind.Tab: state.RightPane = !state.RightPane; break;
            case ViewerKeyKind.Enter: state.RightPane = true; break;
            case ViewerKeyKind.Char when key.Char == '/': state.Prompt = ""; break;
            case ViewerKeyKind.Char when key.Char == 'n':
                if (state.Search is { } term) Find(new LogSearch([term], ignoreCase: true), $"'{term}'", keys);
                else state.Message = "no search yet: type / and the text to find";
                break;
            case ViewerKeyKind.Char when key.Char == 'e': Find(Errors, "an ERROR line", keys); break;
            case ViewerKeyKind.Char when key.Char == 'l':
                state.Level = (LevelFilter)(((int)state.Level + 1) % 4);
                Refilter();
                break;
            case ViewerKeyKind.Char when key.Char == 's': NextStageFilter(); break;
            case ViewerKeyKind.Char when key.Char == 'f':
                state.Follow = !state.Follow;
                if (state.Follow) ToEnd();
                break;
        }
        return true;
    }

    private void Move(int by)
    {
        var state = _state;
        if (!state.RightPane)
        {
            var selected = Math.Clamp(state.Selected + by, 0, state.Entries.Count - 1);
            if (selected == state.Selected) return;
            state.Selected = selected;
            state.Stage = null;
            Open();
            return;
        }
        if (state.View is not { } view) return;
        var target = Math.Max(0, state.Cursor + by);
        if (by > 0 && !view.Has(target)) target = Math.Max(0, view.Known - 1);
        state.Cursor = target;
        if (by < 0) state.Follow = false;
        Scroll();
    }

    private void ToEnd()
    {
        if (_state.View is not { } view) return;
        _state.Cursor = Math.Max(0, view.CountAll() - 1);
        Scroll();
    }

    /// <summary>Keeps the cursor on screen, and the stage pane's selection in its pane.</summary>
    private void Scroll()
    {
        var state = _state;
        var rows = ViewerScreen.PaneRows(_size.Height);
        if (state.Cursor < state.Top) state.Top = state.Cursor;
        if (state.Cursor >= state.Top + rows) state.Top = state.Cursor - rows + 1;
        if (state.Selected < state.EntriesTop) state.EntriesTop = state.Selected;
        if (state.Selected >= state.EntriesTop + rows) state.EntriesTop = state.Selected - rows + 1;
    }

    /// <summary>Finds the next shown line holding a match of <paramref name="search"/> after the cursor; Escape stops a long search.</summary>
    private void Find(LogSearch search, string what, KeyReader keys)
    {
        var state = _state;
        if (state.View is not { } view || !view.Has(state.Cursor))
        {
            state.Message = $"no lines to search for {what}";
            return;
        }
        state.RightPane = true;
        var from = view.FileLine(state.Cursor) + 1;
        var hit = view.File.Find(search, from, line => view.ShownAtOrAfter(line) is >= 0 and var s && view.FileLine(s) == line,
            _ => !keys.TakeEscape());
        if (hit < 0)
        {
            state.Message = $"{what} not found below line {state.Cursor + 1:N0}";
            return;
        }
        var shown = view.ShownAtOrAfter(hit);
        state.Cursor = shown;
        state.Top = Math.Max(0, shown - ViewerScreen.PaneRows(_size.Height) / 3);
        state.Follow = false;
        state.Message = $"{what}: line {shown + 1:N0}";
        Scroll();
    }

    private void NextStageFilter()
    {
        var state = _state;
        if (state.Selected != 0)
        {
            state.Message = "a stage's own log holds only its lines; 's' filters the pipeline log";
            return;
        }
        var stages = state.Entries.Where(e => e.Category is not null && !e.IsItem).Select(e => e.Category!).Distinct().ToList();
        var at = state.Stage is null ? -1 : stages.IndexOf(state.Stage);
        state.Stage = at + 1 < stages.Count ? stages[at + 1] : null;
        Refilter();
    }

    /// <summary>The open log under the current filters, the cursor kept on the same file line (or the next shown one).</summary>
    private void Refilter()
    {
        var state = _state;
        if (state.View is not { } old) return;
        var fileLine = old.Has(state.Cursor) ? old.FileLine(state.Cursor) : 0;
        state.View = new LogView(old.File, state.Level, state.Selected == 0 ? state.Stage : null);
        var shown = state.View.ShownAtOrAfter(fileLine);
        state.Cursor = shown >= 0 ? shown : Math.Max(0, state.View.CountAll() - 1);
        state.Top = Math.Max(0, state.Cursor - ViewerScreen.PaneRows(_size.Height) / 3);
        if (state.Follow) ToEnd();
        Scroll();
    }

    /// <summary>Opens the selected entry's log (when it has one yet).</summary>
    private void Open()
    {
        var state = _state;
        state.View?.File.Dispose();
        state.View = null;
        (state.Cursor, state.Top, state.Shift) = (0, 0, 0);
        if (state.Entry.LogPath is not { } path || !File.Exists(path)) return;
        try
        {
            state.View = new LogView(new LogFile(path), state.Level, state.Selected == 0 ? state.Stage : null);
        }
        catch (IOException e)
        {
            state.Message = $"cannot read {path}: {e.Message}";
            return;
        }
        if (state.Follow) ToEnd();
    }

    /// <summary>Between keys: a resize, a growing log (when following), new statuses. True when the screen must be drawn again.</summary>
    private bool Poll()
    {
        var state = _state;
        var changed = MeasureSize();
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(_statusReadAt, now) >= StatusEvery && (state.Follow || state.JobStatus == "running"))
        {
            _statusReadAt = now;
            changed |= RefreshEntries();
        }
        if (state.View is { } view && view.File.Refresh())
        {
            if (state.Follow) ToEnd();
            else if (!view.Has(state.Cursor))
            {
                // Cut shorter (the view starts over on its own): the cursor goes to the last line there still is.
                state.Cursor = Math.Max(0, view.CountAll() - 1);
                state.Top = Math.Min(state.Top, state.Cursor);
                Scroll();
            }
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// The stage pane again, with new statuses; false when the job manifest and the journal are as they were: the statuses
    /// come from the manifest with the journal replayed (43 MB for 100,000 items), not worth reading every second for nothing.
    /// </summary>
    private bool RefreshEntries()
    {
        if (RecordsStamp() == _recordsStamp) return false;
        var state = _state;
        var selected = state.Entry;
        ReadEntries();
        state.Selected = Math.Max(0, state.Entries.FindIndex(e => e.Label == selected.Label && e.LogPath == selected.LogPath));
        if (state.View is null && state.Entry.LogPath is { } path && File.Exists(path)) Open();
        return true;
    }

    private (long, DateTime, long, DateTime) RecordsStamp()
    {
        var manifest = new FileInfo(layout.JobManifestPath);
        var journal = new FileInfo(layout.JournalPath);
        return (manifest.Exists ? manifest.Length : -1, manifest.Exists ? manifest.LastWriteTimeUtc : default,
            journal.Exists ? journal.Length : -1, journal.Exists ? journal.LastWriteTimeUtc : default);
    }

    private void ReadEntries()
    {
        _recordsStamp = RecordsStamp();
        _state.Entries = ViewerEntries.Read(layout, out var status);
        _state.JobStatus = status;
    }

    private bool MeasureSize()
    {
        var size = (Terminal.Width, Terminal.Height);
        if (size == _size) return false;
        _size = size;
        Scroll();
        return true;
    }

    private void Draw()
    {
        MeasureSize();
        output.Write(ViewerScreen.Render(_state, _size.Width, _size.Height, color));
        output.Flush();
    }
}
