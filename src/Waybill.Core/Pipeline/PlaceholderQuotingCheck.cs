using Waybill.Core.Pipeline.ShellQuoting;

namespace Waybill.Core.Pipeline;

/// <summary>
/// Refuses a placeholder that stands where no escaping keeps its value data (backticks, a here-document, a comment,
/// <c>${…}</c>, arithmetic, after a backslash, or a command that cannot be read with certainty), at the placeholder's
/// own line and column in the pipeline file.
/// </summary>
internal static class PlaceholderQuotingCheck
{
    public static IEnumerable<PipelineError> Check(PipelineDefinition pipeline, StageDefinition stage)
    {
        if (stage.Command is not { } command) yield break;
        var template = Placeholders.Template(command);
        foreach (var slot in template.Slots)
        {
            if (slot.IsSafe) continue;
            yield return new PipelineError(
                $"placeholder {slot.Text} {ShellContextText.Why(slot.Context, template.Problem)}",
                Locate(pipeline.SourceText, stage.CommandLocation, command, slot) ?? stage.CommandLocation ?? stage.Location,
                $"{stage.Id}.run",
                ShellContextText.Hint(slot.Context, slot.Text));
        }
    }

    /// <summary>
    /// The placeholder's line and column in the file: its text appears unchanged in any YAML scalar style, so the n-th
    /// occurrence after the start of <c>run:</c>'s value is the n-th in the command.
    /// </summary>
    private static SourceLocation? Locate(string? source, SourceLocation? run, string command, ShellSlot slot)
    {
        if (source is null || run is null) return null;
        var offset = Offset(source, run.Line, run.Column);
        if (offset < 0) return null;
        var earlier = 0;
        for (var at = Next(command, 0); at >= 0 && at < slot.Start; at = Next(command, at + 1)) earlier++;
        for (var at = Next(source, offset); at >= 0; at = Next(source, at + 1))
        {
            if (earlier-- > 0) continue;
            var lineStart = at == 0 ? 0 : source.LastIndexOf('\n', at - 1) + 1;
            return run with { Line = 1 + source.AsSpan(0, lineStart).Count('\n'), Column = at - lineStart + 1 };
        }
        return null;

        int Next(string text, int from) => text.IndexOf(slot.Text, from, StringComparison.Ordinal);
    }

    private static int Offset(string source, long line, long column)
    {
        var index = 0;
        for (var l = 1L; l < line; l++)
        {
            index = source.IndexOf('\n', index) + 1;
            if (index == 0) return -1;
        }
        return index + column - 1 <= source.Length ? (int)(index + column - 1) : -1;
    }
}
