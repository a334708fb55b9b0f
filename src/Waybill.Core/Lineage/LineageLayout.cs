namespace Waybill.Core.Lineage;

/// <summary>
/// A layered (Sugiyama-style) left-to-right layout: cycles broken by depth-first search, longest-path layers, dummy
/// vertices on links that skip layers, barycenter sweeps to cut crossings, then columns and rows with gaps.
/// Linear apart from sorting each layer per sweep, so ten thousand nodes lay out in milliseconds.
/// </summary>
public sealed class LineageLayout
{
    public const double LayerGap = 72;
    public const double RowGap = 14;
    public const double Margin = 16;
    private const int Sweeps = 4;

    public readonly record struct Box(double X, double Y, double Width, double Height)
    {
        public double CenterY => Y + (Height / 2);
        public double Right => X + Width;
    }

    public readonly record struct Point(double X, double Y);

    private LineageLayout(Dictionary<LineageNode, Box> boxes, List<(LineageLink, IReadOnlyList<Point>)> routes, double width, double height)
    {
        Boxes = boxes;
        Routes = routes;
        Width = width;
        Height = height;
    }

    public IReadOnlyDictionary<LineageNode, Box> Boxes { get; }
    /// <summary>Each link's path from its source's right side to its target's left side, through the columns it crosses.</summary>
    public IReadOnlyList<(LineageLink Link, IReadOnlyList<Point> Points)> Routes { get; }
    public double Width { get; }
    public double Height { get; }

    public static LineageLayout Compute(LineageView view, Func<LineageNode, (double Width, double Height)> measure)
    {
        var nodes = view.Nodes;
        var index = new Dictionary<LineageNode, int>(nodes.Count);
        for (var i = 0; i < nodes.Count; i++) index[nodes[i]] = i;
        var links = view.Links.Where(l => l.From != l.To).ToList();
        var edges = links.Select(l => (From: index[l.From], To: index[l.To])).ToList();
        var reversed = BackEdges(nodes.Count, edges);
        var dag = edges.Select((e, i) => reversed[i] ? (e.To, e.From) : e).ToList();
        var layer = Layers(nodes.Count, dag);

        // Vertices: the real nodes, then one dummy per layer a link skips, so every segment joins adjacent layers.
        var vertexLayer = new List<int>(layer);
        var chains = new List<List<int>>(dag.Count);
        foreach (var (from, to) in dag)
        {
            var chain = new List<int> { from };
            for (var l = layer[from] + 1; l < layer[to]; l++)
            {
                chain.Add(vertexLayer.Count);
                vertexLayer.Add(l);
            }
            chain.Add(to);
            chains.Add(chain);
        }
        var count = vertexLayer.Count;
        var preds = new List<int>[count];
        var succs = new List<int>[count];
        for (var v = 0; v < count; v++) (preds[v], succs[v]) = ([], []);
        foreach (var chain in chains)
            for (var i = 0; i + 1 < chain.Count; i++)
            {
                succs[chain[i]].Add(chain[i + 1]);
                preds[chain[i + 1]].Add(chain[i]);
            }

        var layerCount = count == 0 ? 0 : vertexLayer.Max() + 1;
        var rows = new List<int>[layerCount];
        for (var l = 0; l < layerCount; l++) rows[l] = [];
        for (var v = 0; v < count; v++) rows[vertexLayer[v]].Add(v);
        var position = new double[count];
        Order(rows, preds, succs, position);

        var size = new (double Width, double Height)[count];
        for (var v = 0; v < nodes.Count; v++) size[v] = measure(nodes[v]);
        var columnX = new double[layerCount];
        var columnWidth = new double[layerCount];
        var x = Margin;
        for (var l = 0; l < layerCount; l++)
        {
            columnWidth[l] = rows[l].Select(v => size[v].Width).DefaultIfEmpty(0).Max();
            columnX[l] = x;
            x += columnWidth[l] + LayerGap;
        }
        var y = Place(rows, preds, succs, size);

        var boxes = new Dictionary<LineageNode, Box>(nodes.Count);
        for (var v = 0; v < nodes.Count; v++)
        {
            var l = vertexLayer[v];
            boxes[nodes[v]] = new Box(columnX[l] + ((columnWidth[l] - size[v].Width) / 2), y[v], size[v].Width, size[v].Height);
        }
        var routes = new List<(LineageLink, IReadOnlyList<Point>)>(links.Count);
        for (var i = 0; i < links.Count; i++)
        {
            var chain = chains[i];
            var points = new List<Point>(2 * chain.Count) { new(boxes[nodes[chain[0]]].Right, boxes[nodes[chain[0]]].CenterY) };
            for (var c = 1; c + 1 < chain.Count; c++)
            {
                var l = vertexLayer[chain[c]];
                points.Add(new Point(columnX[l], y[chain[c]]));
                points.Add(new Point(columnX[l] + columnWidth[l], y[chain[c]]));
            }
            points.Add(new Point(boxes[nodes[chain[^1]]].X, boxes[nodes[chain[^1]]].CenterY));
            if (reversed[i]) points.Reverse();
            routes.Add((links[i], points));
        }
        var height = count == 0 ? 0 : Enumerable.Range(0, count).Max(v => y[v] + size[v].Height);
        return new LineageLayout(boxes, routes, Math.Max(x - LayerGap + Margin, 2 * Margin), height + Margin);
    }

    /// <summary>Links that close a cycle (found by an iterative depth-first search); they are laid out reversed.</summary>
    private static bool[] BackEdges(int count, List<(int From, int To)> edges)
    {
        var outgoing = new List<int>[count];
        for (var v = 0; v < count; v++) outgoing[v] = [];
        for (var e = 0; e < edges.Count; e++) outgoing[edges[e].From].Add(e);
        var state = new byte[count]; // 0 new, 1 on the stack, 2 done
        var back = new bool[edges.Count];
        var stack = new Stack<(int Vertex, int Next)>();
        for (var root = 0; root < count; root++)
        {
            if (state[root] != 0) continue;
            stack.Push((root, 0));
            state[root] = 1;
            while (stack.Count > 0)
            {
                var (v, next) = stack.Pop();
                if (next == outgoing[v].Count)
                {
                    state[v] = 2;
                    continue;
                }
                stack.Push((v, next + 1));
                var e = outgoing[v][next];
                var w = edges[e].To;
                if (state[w] == 1) back[e] = true;
                else if (state[w] == 0)
                {
                    state[w] = 1;
                    stack.Push((w, 0));
                }
            }
        }
        return back;
    }

    /// <summary>Longest path from the sources; a source then moves right to sit just before its first reader,
    /// so an original input is drawn beside the stage that reads it, not far left of it.</summary>
    private static int[] Layers(int count, List<(int From, int To)> dag)
    {
        var layer = new int[count];
        var indegree = new int[count];
        var outgoing = new List<int>[count];
        for (var v = 0; v < count; v++) outgoing[v] = [];
        foreach (var (from, to) in dag)
        {
            outgoing[from].Add(to);
            indegree[to]++;
        }
        var ready = new Queue<int>(Enumerable.Range(0, count).Where(v => indegree[v] == 0));
        var sources = ready.ToList();
        while (ready.Count > 0)
        {
            var v = ready.Dequeue();
            foreach (var w in outgoing[v])
            {
                layer[w] = Math.Max(layer[w], layer[v] + 1);
                if (--indegree[w] == 0) ready.Enqueue(w);
            }
        }
        foreach (var source in sources)
            if (outgoing[source].Count > 0) layer[source] = outgoing[source].Min(w => layer[w]) - 1;
        return layer;
    }

    /// <summary>Barycenter sweeps: each vertex moves to the mean position of its neighbours in the layer just swept.</summary>
    private static void Order(List<int>[] rows, List<int>[] preds, List<int>[] succs, double[] position)
    {
        foreach (var row in rows)
            for (var i = 0; i < row.Count; i++) position[row[i]] = i;
        for (var sweep = 0; sweep < Sweeps; sweep++)
        {
            for (var l = 1; l < rows.Length; l++) Sort(rows[l], preds, position);
            for (var l = rows.Length - 2; l >= 0; l--) Sort(rows[l], succs, position);
        }
    }

    private static void Sort(List<int> row, List<int>[] neighbours, double[] position)
    {
        var keyed = row.Select((v, i) => (Vertex: v, Key: neighbours[v].Count == 0 ? position[v] : neighbours[v].Average(n => position[n]), Index: i)).ToList();
        keyed.Sort((a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Index.CompareTo(b.Index));
        for (var i = 0; i < keyed.Count; i++)
        {
            row[i] = keyed[i].Vertex;
            position[row[i]] = i;
        }
    }

    /// <summary>Rows top to bottom in each column; a vertex aims for the middle of its neighbours to the left
    /// (or, with none, to the right) so chains run straight, but never overlaps the one above it.</summary>
    private static double[] Place(List<int>[] rows, List<int>[] preds, List<int>[] succs, (double Width, double Height)[] size)
    {
        var y = new double[size.Length];
        foreach (var row in rows) Stack(row, v => null);
        for (var l = 1; l < rows.Length; l++) Stack(rows[l], v => Middle(preds[v]));
        for (var l = rows.Length - 2; l >= 0; l--) Stack(rows[l], v => preds[v].Count > 0 ? Middle(preds[v]) : Middle(succs[v]));
        var top = y.Length == 0 ? 0 : y.Min();
        for (var v = 0; v < y.Length; v++) y[v] += Margin - top;
        return y;

        void Stack(List<int> row, Func<int, double?> aim)
        {
            var next = double.NegativeInfinity;
            foreach (var v in row)
            {
                var wanted = aim(v) is { } middle ? middle - (size[v].Height / 2) : (double.IsNegativeInfinity(next) ? 0 : next);
                y[v] = Math.Max(wanted, next);
                next = y[v] + size[v].Height + RowGap;
            }
        }

        double? Middle(List<int> neighbours) => neighbours.Count == 0 ? null : neighbours.Average(n => y[n] + (size[n].Height / 2));
    }
}
