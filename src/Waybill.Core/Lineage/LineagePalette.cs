namespace Waybill.Core.Lineage;

/// <summary>One set of colours for DOT, Mermaid and SVG, so a status looks the same in every format.</summary>
public static class LineagePalette
{
    public static (string Fill, string Stroke) Stage(string status) => status switch
    {
        "success" => ("#d9f2dd", "#2e7d32"),
        "failed" => ("#f8d7da", "#c62828"),
        "skipped" => ("#fff3cd", "#b26a00"),
        "cancelled" => ("#e2e3e5", "#6c757d"),
        "running" => ("#dbe8ff", "#1f5fbf"),
        _ => ("#f1f1f1", "#8a8a8a"),
    };

    public static (string Fill, string Stroke) File(FileNode file) =>
        file.IsDeleted ? ("#fafafa", "#9e9e9e") : file.IsExternal ? ("#eef1f5", "#5b6b7f") : ("#ffffff", "#5b6b7f");

    public const string Edge = "#6b6b6b";
    public const string CrossJobEdge = "#7b3fb5";
    public const string Focus = "#0d6efd";
}
