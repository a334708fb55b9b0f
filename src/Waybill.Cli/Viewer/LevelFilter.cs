namespace Waybill.Cli.Viewer;

/// <summary>The lowest level the viewer shows; <c>l</c> cycles through them.</summary>
internal enum LevelFilter
{
    All,
    Info,
    Warning,
    Error,
}
