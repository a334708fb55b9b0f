namespace Waybill.Core.Lineage;

[Flags]
public enum LineageDirection
{
    Upstream = 1,
    Downstream = 2,
    Both = Upstream | Downstream,
}

/// <summary>What a renderer draws: a whole job graph, or the part of it around one focus node.</summary>
public sealed class LineageView
{
    private readonly HashSet<LineageNode> _members;

    internal LineageView(LineageGraph graph, IEnumerable<LineageNode> nodes, LineageNode? focus, LineageDirection direction)
    {
        Graph = graph;
        _members = [.. nodes];
        Nodes = [.. graph.Nodes.Where(_members.Contains)];
        Links = [.. graph.Links.Where(l => _members.Contains(l.From) && _members.Contains(l.To))];
        Focus = focus;
        Direction = direction;
    }

    public LineageGraph Graph { get; }
    /// <summary>The nodes to draw, in graph order (stages in stage order, files as first met).</summary>
    public IReadOnlyList<LineageNode> Nodes { get; }
    public IReadOnlyList<LineageLink> Links { get; }
    public LineageNode? Focus { get; }
    public LineageDirection Direction { get; }

    public bool Contains(LineageNode node) => _members.Contains(node);

    /// <summary>Links into <paramref name="node"/> from nodes in this view.</summary>
    public IEnumerable<LineageLink> Incoming(LineageNode node) => Graph.Incoming(node).Where(l => _members.Contains(l.From));

    /// <summary>Links out of <paramref name="node"/> to nodes in this view.</summary>
    public IEnumerable<LineageLink> Outgoing(LineageNode node) => Graph.Outgoing(node).Where(l => _members.Contains(l.To));
}
