namespace Waybill.Cli.Viewer;

/// <summary>One line of the stage pane: the pipeline log, a stage, or a fan-out item, with its status and log file.</summary>
/// <param name="Category">The logger category of the stage's lines in the pipeline log (<c>stage.asr</c>); null for the pipeline log.</param>
internal sealed record ViewerEntry(string Label, string Status, string? LogPath, string? Category, bool IsItem);
