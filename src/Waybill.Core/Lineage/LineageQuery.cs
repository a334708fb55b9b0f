namespace Waybill.Core.Lineage;

/// <summary>Selects what to draw: the whole graph, or what lies upstream and downstream of one node.</summary>
public static class LineageQuery
{
    public static LineageView Whole(LineageGraph graph) => new(graph, graph.Nodes, focus: null, LineageDirection.Both);

    /// <summary>
    /// The focus and every node reachable from it in <paramref name="direction"/>. <paramref name="depth"/> counts stages:
    /// depth N keeps the N nearest stages on each path and the files they read or write, so depth 0 around a stage
    /// is the stage with its own inputs and outputs, and depth 1 around a file is its producer with that producer's inputs.
    /// </summary>
    public static LineageView Around(LineageGraph graph, LineageNode focus, LineageDirection direction, int? depth = null)
    {
        var keep = new HashSet<LineageNode> { focus };
        if (direction.HasFlag(LineageDirection.Upstream)) Walk(graph, focus, upstream: true, depth, keep);
        if (direction.HasFlag(LineageDirection.Downstream)) Walk(graph, focus, upstream: false, depth, keep);
        return new LineageView(graph, keep, focus, direction);
    }

    /// <summary>Every node around any of <paramref name="focuses"/> (all items of a fan-out stage), drawn without one focus.</summary>
    public static LineageView AroundAll(LineageGraph graph, IReadOnlyList<LineageNode> focuses, LineageDirection direction, int? depth = null)
    {
        var keep = new HashSet<LineageNode>();
        foreach (var focus in focuses) keep.UnionWith(Around(graph, focus, direction, depth).Nodes);
        return new LineageView(graph, keep, focus: null, direction);
    }

    // Breadth-first by stage count: passing a file costs nothing, entering a stage costs one, so a deque keeps
    // the cheapest distance first (0-1 BFS) and every node gets its smallest stage count.
    private static void Walk(LineageGraph graph, LineageNode focus, bool upstream, int? depth, HashSet<LineageNode> keep)
    {
        var best = new Dictionary<LineageNode, int> { [focus] = 0 };
        var queue = new LinkedList<(LineageNode Node, int Stages)>();
        queue.AddFirst((focus, 0));
        while (queue.First is { } first)
        {
            queue.RemoveFirst();
            var (node, stages) = first.Value;
            if (best[node] < stages) continue;
            var links = upstream ? graph.Incoming(node) : graph.Outgoing(node);
            foreach (var link in links)
            {
                var next = upstream ? link.From : link.To;
                var cost = next is StageNode ? 1 : 0;
                var total = stages + cost;
                if (depth is { } limit && total > limit) continue;
                if (best.TryGetValue(next, out var known) && known <= total) continue;
                best[next] = total;
                keep.Add(next);
                if (cost == 0) queue.AddFirst((next, total));
                else queue.AddLast((next, total));
            }
        }
    }
}
