using System.CommandLine;
using Waybill.Cli.Output;
using Waybill.Core.IO;
using Waybill.Core.Jobs;
using Waybill.Core.Lineage;
using Waybill.Core.Pipeline.FanOut;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill lineage</c>: where a job's files came from and where they went, as text, DOT, Mermaid, SVG or HTML.</summary>
internal static class LineageCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var target = new Argument<string?>("file-or-stage")
        {
            Description = "A file (path as recorded, absolute, or relative to the current folder) or a stage (03_mux or mux; an item "
                + "06_asr[ep-01]; a fan-out stage for all its items); the whole job when omitted",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var outRoot = CommonOptions.Out();
        var upstream = new Option<bool>("--upstream") { Description = "Only what the file or stage came from" };
        var downstream = new Option<bool>("--downstream") { Description = "Only what came of the file or stage" };
        var depth = new Option<int?>("--depth") { Description = "Follow at most N stages away from the file or stage", HelpName = "n" };
        var format = new Option<string>("--format", "-f") { Description = "Output format", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong([.. LineageRenderer.FormatNames]);
        var file = new Option<string?>("--output") { Description = "Write to this file instead of standard output", HelpName = "file" };
        var search = new Option<string[]>("--search")
        {
            Description = "Also look for linked jobs here (a job folder or a folder of job folders); repeatable. Jobs beside this one are always searched",
            AllowMultipleArgumentsPerToken = false,
            HelpName = "dir",
        };
        var ascii = new Option<bool>("--ascii") { Description = "Text format: ASCII tree lines and arrows only" };
        var command = new Command("lineage", "Show where a job's files came from and where they went: the whole job, or around one file or stage")
        {
            job, target, outRoot, upstream, downstream, depth, format, file, search, ascii,
        };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            if (!File.Exists(layout.JobManifestPath)) throw new CliException($"{layout.Root} has no manifest.json: it is not a job folder or its run never started");
            var named = parse.GetValue(target);
            var direction = (parse.GetValue(upstream), parse.GetValue(downstream)) switch
            {
                (true, false) => LineageDirection.Upstream,
                (false, true) => LineageDirection.Downstream,
                _ => LineageDirection.Both,
            };
            var maxDepth = parse.GetValue(depth);
            if (maxDepth < 0) throw new CliException($"--depth must be 0 or more, not {maxDepth}");
            if (named is null && (maxDepth is not null || direction != LineageDirection.Both))
                throw new CliException("--upstream, --downstream and --depth need a file or stage to start from", $"e.g. 'waybill lineage {parse.GetValue(job)} <stage>'");

            var others = new CrossJobIndex(CrossJobIndex.CandidateFolders(layout, parse.GetValue(search) ?? []), warning => error.WriteLine($"warning: {warning}"));
            var graph = LineageLoader.Load(layout, others);
            var view = named is null ? LineageQuery.Whole(graph)
                : ItemsOf(layout, graph, named) is { } items ? LineageQuery.AroundAll(graph, items, direction, maxDepth)
                : LineageQuery.Around(graph, Focus(graph, layout, named), direction, maxDepth);

            var destination = parse.GetValue(file);
            var style = new TextStyle(Ascii: parse.GetValue(ascii), Color: destination is null && Terminal.UseColor);
            var rendered = LineageRenderer.Render(view, LineageRenderer.ParseFormat(parse.GetValue(format)!)!.Value, style);
            if (destination is null)
            {
                output.Write(rendered);
                return ExitCodes.Success;
            }
            var full = Path.GetFullPath(destination);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            AtomicFile.WriteAllText(full, rendered);
            output.WriteLine($"wrote {destination}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Every item of a fan-out stage named plainly (<c>06_asr</c>, <c>asr</c> or <c>06_asr[*]</c>); null for anything else.</summary>
    private static List<LineageNode>? ItemsOf(JobLayout layout, LineageGraph graph, string named)
    {
        var match = StageAddress.Resolve(JobStages.Of(layout), named);
        if (match.FanOut is null || match.Ids.Count == 0) return null;
        var nodes = match.Ids.Select(id => graph.Find(LineageGraph.StageKey(id))).OfType<LineageNode>().ToList();
        return nodes.Count > 0 ? nodes : null;
    }

    private static LineageNode Focus(LineageGraph graph, JobLayout layout, string named)
    {
        // asr[ep-01] is the item 06_asr[ep-01]; an unknown key is named as such, with keys the stage has.
        var match = StageAddress.Resolve(JobStages.Of(layout), named);
        if (match.Ids.Count == 1 && graph.Find(LineageGraph.StageKey(match.Ids[0])) is { } stage) return stage;
        if (LineageLookup.Find(graph, named, Environment.CurrentDirectory) is { } node) return node;
        if (!match.UnknownStage && match.Problem is not null) throw new CliException($"job {graph.JobId}: {match.Problem}", match.Hint);
        var close = LineageLookup.CloseMatches(graph, named);
        var stages = graph.Stages.Where(s => !s.IsOtherJob).Select(s => s.StageId).ToList();
        throw new CliException(
            $"job {graph.JobId} has no file or stage '{named}'",
            close.Count > 0
                ? $"did you mean: {string.Join(", ", close)}"
                : $"stages: {string.Join(", ", stages)}; give a file as its path in the job folder (e.g. {graph.Files.FirstOrDefault()?.Path ?? "01_stage/file.txt"})");
    }
}
