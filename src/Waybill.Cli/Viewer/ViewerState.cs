namespace Waybill.Cli.Viewer;

/// <summary>What the viewer shows at a moment: the stage pane, the open log and where in it, the filters and the prompt.</summary>
internal sealed class ViewerState
{
    public required string JobId { get; init; }
    public required string JobRoot { get; init; }
    public List<ViewerEntry> Entries { get; set; } = [];
    public string JobStatus { get; set; } = "unknown";
    public int Selected { get; set; }
    public int EntriesTop { get; set; }
    public bool RightPane { get; set; } = true;
    public LogView? View { get; set; }
    /// <summary>The shown line the cursor is on, and the first shown line on screen.</summary>
    public int Cursor { get; set; }
    public int Top { get; set; }
    public int Shift { get; set; }
    public LevelFilter Level { get; set; }
    /// <summary>The stage whose lines the pipeline log is cut down to (<c>s</c>); null: every line.</summary>
    public string? Stage { get; set; }
    public bool Follow { get; set; }
    public string? Search { get; set; }
    /// <summary>The search being typed after <c>/</c>; null when not prompting.</summary>
    public string? Prompt { get; set; }
    public string Message { get; set; } = "";

    public ViewerEntry Entry => Entries[Selected];
}
