namespace Waybill.Core.Reports;

/// <summary>
/// A few lines of a stage.log around a warning or error, embedded in the report so it opens offline.
/// <see cref="FirstLine"/> is the 1-based number of the first line, counted from <see cref="CountedFrom"/>.
/// </summary>
internal sealed class LogExcerpt
{
    public required int Id { get; init; }
    public required string LogPath { get; init; }
    public required long FirstLine { get; init; }
    /// <summary>Index into <see cref="Lines"/> of the line the problem was logged on.</summary>
    public required int Hit { get; init; }
    public required IReadOnlyList<string> Lines { get; init; }
    /// <summary>Null when lines are counted from the start of the file; otherwise what they are counted from.</summary>
    public string? CountedFrom { get; init; }
}
