using System.Globalization;
using System.Text;
using Waybill.Core.Pipeline;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Waybill.Media;

/// <summary>
/// The subtitle pipeline over several videos as one job. The first stage whose inputs read <c>{config.video}</c> is fanned
/// out over the videos (<c>foreach: { files: [...] }</c>) and every <c>{config.video}</c> in the stages' inputs and commands
/// becomes <c>{item.path}</c>, so each video runs its own chain of stages, keyed by its file name. The text is edited in
/// place rather than written anew, so the job's pipeline snapshot keeps the file's comments and layout.
/// </summary>
public static class SeasonPipeline
{
    public const string VideoPlaceholder = "{config.video}";
    private const string ItemPath = "{item.path}";

    /// <param name="yaml">A pipeline file the loader has accepted.</param>
    /// <param name="display">The file named in errors.</param>
    /// <param name="videos">Absolute paths, one item each, in this order.</param>
    public static string ForVideos(string yaml, string display, IReadOnlyList<string> videos)
    {
        var stages = Stages(yaml, display);
        var edits = new List<(int Start, int End, string Text)>();
        YamlMappingNode? first = null;
        foreach (var stage in stages.Children.OfType<YamlMappingNode>())
        {
            var before = edits.Count;
            foreach (var scalar in VideoScalars(stage))
            {
                int start = checked((int)scalar.Start.Index), end = checked((int)scalar.End.Index);
                // A value that spells the placeholder with escapes is left as written (and the loader then names it).
                if (yaml.AsSpan(start, end - start).IndexOf(VideoPlaceholder, StringComparison.Ordinal) < 0) continue;
                edits.Add((start, end, yaml[start..end].Replace(VideoPlaceholder, ItemPath, StringComparison.Ordinal)));
            }
            if (edits.Count > before && first is null) first = stage;
        }
        if (first is null)
            throw Invalid($"no stage of the pipeline reads {VideoPlaceholder}, so it cannot run once per video", new SourceLocation(display, 1, 1),
                "stages", "give the first stage an input such as 'video: { path: \"{config.video}\", type: video }', "
                    + "or subtitle one video at a time");
        edits.Add(Foreach(yaml, display, first, videos));
        var text = new StringBuilder(yaml);
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start))
            text.Remove(start, end - start).Insert(start, replacement);
        return text.ToString();
    }

    private static YamlSequenceNode Stages(string yaml, string display)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw Invalid($"the pipeline cannot be fanned out over videos: {e.Message}", new SourceLocation(display, e.Start.Line, e.Start.Column),
                null, "subtitle one video at a time with this pipeline file");
        }
        return stream.Documents.FirstOrDefault()?.RootNode is YamlMappingNode root
            && root.Children.TryGetValue(new YamlScalarNode("stages"), out var node) && node is YamlSequenceNode list
            ? list
            : throw Invalid("the pipeline file has no 'stages' list", new SourceLocation(display, 1, 1), "stages");
    }

    /// <summary>The stage's input paths and command that name <c>{config.video}</c>.</summary>
    private static IEnumerable<YamlScalarNode> VideoScalars(YamlMappingNode stage)
    {
        var inputs = Child(stage, "inputs") is YamlMappingNode map ? map.AllNodes.OfType<YamlScalarNode>() : [];
        var run = Child(stage, "run") is YamlScalarNode command ? [command] : Array.Empty<YamlScalarNode>();
        return inputs.Concat(run).Where(s => s.Value?.Contains(VideoPlaceholder, StringComparison.Ordinal) == true);
    }

    /// <summary>A <c>foreach:</c> block inserted on the line after the stage's <c>id</c>, at the indentation of its keys.</summary>
    private static (int, int, string) Foreach(string yaml, string display, YamlMappingNode stage, IReadOnlyList<string> videos)
    {
        var id = stage.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "id" });
        var at = new SourceLocation(display, stage.Start.Line, stage.Start.Column);
        var name = (id.Value as YamlScalarNode)?.Value ?? "the first stage";
        if (id.Key is null || stage.Style == YamlDotNet.Core.Events.MappingStyle.Flow)
            throw Invalid($"stage {name} reads {VideoPlaceholder} but is written as a flow mapping ({{ ... }})", at, name,
                "write the stage as a block mapping, one key per line, to subtitle several videos with it");
        if (Child(stage, "foreach") is not null)
            throw Invalid($"stage {name} reads {VideoPlaceholder} and already has 'foreach'", at, $"{name}.foreach",
                "remove its foreach, or subtitle one video at a time with this pipeline file");
        var newline = yaml.IndexOf('\n', checked((int)id.Value.End.Index));
        var indent = new string(' ', checked((int)id.Key.Start.Column - 1));
        var block = new StringBuilder();
        if (newline < 0) block.Append('\n');
        block.Append(indent).Append("foreach:   # one run per video, added by 'waybill subtitle' for several videos\n");
        block.Append(indent).Append("  files:\n");
        foreach (var video in videos) block.Append(indent).Append("    - ").Append(Quoted(video)).Append('\n');
        var position = newline < 0 ? yaml.Length : newline + 1;
        return (position, position, block.ToString());
    }

    /// <summary>A YAML double-quoted scalar: a file name may hold quotes, backslashes, newlines and other line breaks.</summary>
    public static string Quoted(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\') builder.Append('\\').Append(c);
            else if (c < ' ' || c is '\u007f' or '\u0085' or '\u2028' or '\u2029' or '\ufeff')
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else builder.Append(c);
        }
        return builder.Append('"').ToString();
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static PipelineInvalidException Invalid(string message, SourceLocation at, string? field, string? hint = null) =>
        new(new PipelineError(message, at, field, hint));
}
