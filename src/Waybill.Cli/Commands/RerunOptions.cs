using System.CommandLine;

namespace Waybill.Cli.Commands;

/// <summary>The options that choose what a run on an existing job reruns, shared by <c>run</c> and <c>resume</c>.</summary>
internal sealed class RerunOptions
{
    public Option<string[]> Force { get; } = new("--force") { Description = "Run this stage (id or name) even if it is up to date; repeatable; 'all' for every stage", AllowMultipleArgumentsPerToken = false };
    public Option<string?> From { get; } = new("--from") { Description = "Run this stage and everything downstream of it, up to date or not" };
    public Option<string?> Until { get; } = new("--until") { Description = "Only this stage and the stages it depends on; the rest of the job is left as it is" };
    public Option<bool> Explain { get; } = new("--explain") { Description = "After the run, list every stage with why it ran or was up to date" };

    public void AddTo(Command command)
    {
        command.Options.Add(Force);
        command.Options.Add(From);
        command.Options.Add(Until);
        command.Options.Add(Explain);
    }

    public PipelineExecution.Selection Read(ParseResult parse) =>
        new(parse.GetValue(Force) ?? [], parse.GetValue(From), parse.GetValue(Until), parse.GetValue(Explain));
}
