using Waybill.Core.Lineage;
using Xunit;

namespace Waybill.Core.Tests.Lineage;

/// <summary>The layered layout: links run left to right, boxes never overlap, crossings are swept out, cycles do not hang it.</summary>
public sealed class LineageLayoutTests
{
    private static StageNode Stage(LineageGraph graph, string id) =>
        graph.GetOrAdd(LineageGraph.StageKey(id), key => new StageNode { Key = key, JobId = graph.JobId, StageId = id, Name = id, Status = "success" });

    private static FileNode File(LineageGraph graph, string path) =>
        graph.GetOrAdd(LineageGraph.FileKey(path), key => new FileNode { Key = key, Path = path, Location = "job" });

    private static LineageLayout Layout(LineageGraph graph) => LineageLayout.Compute(LineageQuery.Whole(graph), n => (40 + (n.Label.Length * 7), 40));

    [Fact]
    public void Links_run_left_to_right_and_boxes_in_a_column_do_not_overlap()
    {
        var graph = new LineageGraph("j", "/jobs/j");
        var a = Stage(graph, "01_a");
        var b = Stage(graph, "02_b");
        var c = Stage(graph, "03_c");
        var shared = File(graph, "01_a/shared.txt");
        graph.Link(a, shared, LinkKind.Output);
        graph.Link(shared, b, LinkKind.Input);
        graph.Link(shared, c, LinkKind.Input);
        var late = File(graph, "02_b/late.txt");
        graph.Link(b, late, LinkKind.Output);
        graph.Link(late, c, LinkKind.Input);
        var original = File(graph, "/data/original.txt");
        graph.Link(original, c, LinkKind.Input);

        var layout = Layout(graph);

        foreach (var link in graph.Links)
            Assert.True(layout.Boxes[link.From].Right < layout.Boxes[link.To].X, $"{link.From.Key} is not left of {link.To.Key}");
        var boxes = layout.Boxes.Values.ToList();
        for (var i = 0; i < boxes.Count; i++)
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (p, q) = (boxes[i], boxes[j]);
                var overlap = p.X < q.Right && q.X < p.Right && p.Y < q.Y + q.Height && q.Y < p.Y + p.Height;
                Assert.False(overlap, $"boxes {p} and {q} overlap");
            }
        // The original input sits in the column just before its reader, not at the far left.
        Assert.True(layout.Boxes[original].X > layout.Boxes[shared].Right);
        // shared.txt skips a column on its way to 03_c: the route passes through it.
        var route = layout.Routes.Single(r => r.Link.From == shared && r.Link.To == c).Points;
        Assert.True(route.Count > 2);
        Assert.All(layout.Routes, r => Assert.Equal(layout.Boxes[r.Link.From].Right, r.Points[0].X));
        Assert.True(layout.Width >= boxes.Max(b => b.Right) && layout.Height >= boxes.Max(b => b.Y + b.Height));
    }

    [Fact]
    public void Barycenter_sweeps_uncross_links()
    {
        var graph = new LineageGraph("j", "/jobs/j");
        var x = Stage(graph, "01_x");
        var y = Stage(graph, "02_y");
        // Met in the crossing order: y's output first.
        var fromY = File(graph, "02_y/out.txt");
        var fromX = File(graph, "01_x/out.txt");
        graph.Link(y, fromY, LinkKind.Output);
        graph.Link(x, fromX, LinkKind.Output);

        var layout = Layout(graph);

        Assert.True(layout.Boxes[x].Y < layout.Boxes[y].Y);
        Assert.True(layout.Boxes[fromX].Y < layout.Boxes[fromY].Y);
    }

    [Fact]
    public void A_cycle_is_laid_out_with_one_link_drawn_backwards()
    {
        var graph = new LineageGraph("j", "/jobs/j");
        var a = Stage(graph, "01_a");
        var file = File(graph, "01_a/loop.txt");
        var other = graph.GetOrAdd("job:k/stage:01_b", key => new StageNode { Key = key, JobId = "k", StageId = "01_b", Name = "b", Status = "success", IsOtherJob = true });
        var back = File(graph, "/data/back.txt");
        graph.Link(a, file, LinkKind.Output);
        graph.Link(file, other, LinkKind.ReadByOtherJob);
        graph.Link(other, back, LinkKind.ProducedByOtherJob);
        graph.Link(back, a, LinkKind.Input);

        var layout = Layout(graph);

        Assert.Equal(4, layout.Boxes.Count);
        Assert.Equal(4, layout.Routes.Count);
        Assert.Single(layout.Routes, r => r.Points[0].X > r.Points[^1].X);
    }
}
