using System.Diagnostics;
using System.Text.RegularExpressions;
using Waybill.Core.Lineage;
using Xunit;

namespace Waybill.Core.Tests.Lineage;

/// <summary>A thousand stages and ten thousand files render in every format (the time is printed, not asserted).</summary>
public sealed class LargeLineageTests(ITestOutputHelper output)
{
    private const int Chains = 10;
    private const int StagesPerChain = 100;
    private const int FilesPerStage = 10;

    /// <summary>Ten chains of a hundred stages; each stage reads its predecessor's first output and one external file, and writes nine outputs.</summary>
    private static LineageGraph Build()
    {
        var graph = new LineageGraph("big", "/jobs/big") { Pipeline = "big", JobStatus = "success" };
        for (var chain = 0; chain < Chains; chain++)
        {
            FileNode? previous = null;
            for (var step = 0; step < StagesPerChain; step++)
            {
                var id = $"{(chain * StagesPerChain) + step + 1:0000}_c{chain}s{step}";
                var stage = graph.GetOrAdd(LineageGraph.StageKey(id), key => new StageNode
                {
                    Key = key, JobId = "big", StageId = id, Name = id[5..], Status = step % 17 == 16 ? "failed" : "success", DurationSeconds = step,
                });
                var external = graph.GetOrAdd(LineageGraph.FileKey($"/data/{id}.in"), key => new FileNode { Key = key, Path = $"/data/{id}.in", Location = "external", Checksum = "xxh128:" + new string('a', 32), SizeBytes = 100 });
                graph.Link(external, stage, LinkKind.Input, "data");
                if (previous is not null) graph.Link(previous, stage, LinkKind.Input, "previous");
                for (var f = 0; f < FilesPerStage - 1; f++)
                {
                    var path = $"{id}/out-{f}.bin";
                    var file = graph.GetOrAdd(LineageGraph.FileKey(path), key => new FileNode { Key = key, Path = path, Location = "job", Checksum = "xxh128:" + new string('b', 32), SizeBytes = 4096 });
                    graph.Link(stage, file, LinkKind.Output, $"out{f}");
                    if (f == 0) previous = file;
                }
            }
        }
        return graph;
    }

    [Fact]
    public void Every_format_renders_a_thousand_stages_and_ten_thousand_files()
    {
        var clock = Stopwatch.StartNew();
        var graph = Build();
        var whole = LineageQuery.Whole(graph);
        Assert.Equal(Chains * StagesPerChain, whole.Nodes.OfType<StageNode>().Count());
        Assert.Equal(Chains * StagesPerChain * FilesPerStage, whole.Nodes.OfType<FileNode>().Count());
        output.WriteLine($"build: {clock.ElapsedMilliseconds} ms");

        foreach (var format in Enum.GetValues<LineageFormat>())
        {
            clock.Restart();
            var text = LineageRenderer.Render(whole, format);
            output.WriteLine($"{format}: {clock.ElapsedMilliseconds} ms, {text.Length / 1024} KiB");
            switch (format)
            {
                case LineageFormat.Svg or LineageFormat.Html:
                    Assert.Equal(whole.Nodes.Count, Regex.Count(text, "<g id=\"n\\d+\" class=\"node "));
                    Assert.Equal(whole.Links.Count, Regex.Count(text, "<path id=\"e\\d+\" class=\"edge "));
                    break;
                case LineageFormat.Dot:
                    var dot = DotReader.Parse(text);
                    Assert.Equal((whole.Nodes.Count, whole.Links.Count), (dot.Nodes.Count, dot.Edges.Count));
                    break;
                case LineageFormat.Mermaid:
                    Assert.Equal(whole.Links.Count, Regex.Count(text, "\n  n\\d+ -->"));
                    break;
                default:
                    Assert.Equal(Chains * StagesPerChain, Regex.Count(text, "^\\d{4}_c", RegexOptions.Multiline));
                    break;
            }
        }

        // Around a file at the end of a chain: the whole chain upstream, as a deep text tree.
        clock.Restart();
        var last = graph.Find($"file:{Chains * StagesPerChain:0000}_c{Chains - 1}s{StagesPerChain - 1}/out-0.bin")!;
        var upstream = LineageQuery.Around(graph, last, LineageDirection.Upstream);
        Assert.Equal(StagesPerChain, upstream.Nodes.OfType<StageNode>().Count());
        Assert.NotEmpty(LineageRenderer.Render(upstream, LineageFormat.Text));
        Assert.NotEmpty(LineageRenderer.Render(upstream, LineageFormat.Svg));
        output.WriteLine($"upstream of one file: {clock.ElapsedMilliseconds} ms");
    }
}
