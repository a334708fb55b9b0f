using Waybill.Core.Text;

namespace Waybill.Core.Lineage;

/// <summary>Finds the node a user named: a stage id or name, or a file path as recorded, absolute, or relative to the current folder.</summary>
public static class LineageLookup
{
    public static LineageNode? Find(LineageGraph graph, string text, string currentDirectory)
    {
        if (graph.Find(text) is { } byKey) return byKey;
        if (graph.Find(LineageGraph.StageKey(text)) is { } byId) return byId;
        if (graph.Stages.FirstOrDefault(s => !s.IsOtherJob && s.Name == text) is { } byName) return byName;
        var recorded = text.Replace('\\', '/');
        while (recorded.StartsWith("./", StringComparison.Ordinal)) recorded = recorded[2..];
        if (graph.Find(LineageGraph.FileKey(recorded)) is { } byRecordedPath) return byRecordedPath;
        var full = Path.GetFullPath(text, currentDirectory);
        var insideJob = full.StartsWith(graph.JobRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        var asRecorded = insideJob ? Path.GetRelativePath(graph.JobRoot, full).Replace(Path.DirectorySeparatorChar, '/') : full;
        return graph.Find(LineageGraph.FileKey(asRecorded));
    }

    /// <summary>Up to <paramref name="count"/> stage ids and file paths that look like <paramref name="text"/>, closest first.</summary>
    public static IReadOnlyList<string> CloseMatches(LineageGraph graph, string text, int count = 5)
    {
        var wanted = text.Replace('\\', '/').ToLowerInvariant();
        var scored = new List<(string Label, int Score)>();
        foreach (var node in graph.Nodes)
        {
            var names = node switch
            {
                StageNode s => new[] { s.StageId, s.Name },
                FileNode f => [f.Path, Path.GetFileName(f.Path)],
                _ => [node.Label],
            };
            var score = names.Min(name => Distance(wanted, name.ToLowerInvariant()));
            scored.Add((node.Label, score));
        }
        var limit = Math.Max(2, wanted.Length / 3);
        return [.. scored.Where(s => s.Score <= limit).OrderBy(s => s.Score).ThenBy(s => s.Label, StringComparer.Ordinal).Take(count).Select(s => s.Label)];
    }

    // Edit distance, except that a name containing the text (or contained in it) counts as one edit away.
    private static int Distance(string a, string b)
    {
        if (a.Length > 0 && b.Length > 0 && (b.Contains(a, StringComparison.Ordinal) || a.Contains(b, StringComparison.Ordinal))) return a == b ? 0 : 1;
        return EditDistance.Between(a, b);
    }
}
