using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Execution.Resources;
using Waybill.Core.Pipeline;
using Waybill.Core.Processes;

namespace Waybill.Core.Stages;

/// <summary>
/// A shell command from the pipeline file. Placeholders are expanded, each value escaped for the quoting it stands in
/// (see <see cref="Pipeline.ShellQuoting.ShellTemplate"/>), the command runs under
/// <c>/bin/sh -c</c> in the stage folder, stdout/stderr stream into stage.log, and the exit code decides the status.
/// </summary>
public sealed class CommandStage : IStage
{
    private const int StderrTail = 5;

    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var definition = context.Definition;
        var command = Expand(context).Trim();
        var shown = context.RedactText(command);
        context.Manifest.Command = shown;
        context.Logger.LogDebug("command: {Command}", shown);

        var environment = context.CommandEnvironment();
        if (FirstWord(command) is { } program && !Installed(program, context.StageDir, environment.GetValueOrDefault("PATH")))
            throw new StageFailedException($"command '{program}' not found: it is not on PATH ({environment.GetValueOrDefault("PATH")}); install it or give its full path in {definition.Id}.run");

        var limits = StageOutput.Limits(context);
        var tail = new Queue<string>();
        using var memory = MemoryLimit.For(context);
        var spec = context.Sampled(new ProcessSpec("/bin/sh", ["-c", memory?.Wrap(command) ?? command], context.StageDir, environment));
        // What the command sent over its channel before an output line is logged before that line.
        var channel = context.Channel;
        var result = await MeasuredProcess.RunAsync(
            spec,
            line =>
            {
                channel.CatchUp();
                context.Logger.LogDebug("stdout| {Line}", line);
            },
            line =>
            {
                channel.CatchUp();
                context.Logger.LogDebug("stderr| {Line}", line);
                lock (tail)
                {
                    tail.Enqueue(line);
                    if (tail.Count > StderrTail) tail.Dequeue();
                }
            },
            cancellationToken,
            limits,
            limits,
            context.Logger);
        context.RecordProcess(result);
        if (memory?.Figures() is { } figures) context.Cgroup = figures;
        // Before the exit code decides: a finalize on the channel takes part in the status.
        context.CloseChannel();
        StageOutput.Report(context, result, limits);
        context.Manifest.ExitCode = result.ExitCode;
        context.Logger.LogDebug("exit code {ExitCode} after {Seconds:0.###}s", result.ExitCode, result.WallTime.TotalSeconds);

        if (result.Cancelled) throw new OperationCanceledException(cancellationToken);
        if (memory?.Explain(result, tail, context) is { } outOfMemory) throw new StageFailedException($"command {context.RedactText(outOfMemory)}");
        if (result.ExitCode != 0)
        {
            var last = tail.LastOrDefault(l => !string.IsNullOrWhiteSpace(l));
            var why = result.Signal is { } signal ? $"was killed by signal {signal}" : $"exited with code {result.ExitCode}";
            if (result.ExitCode == 127 && last is null) last = "a command in it was not found (exit 127)";
            throw new StageFailedException($"command {why}{(last is null ? "" : ": " + context.RedactText(last.Trim()))}{Finalized(context)}");
        }
    }

    /// <summary>A non-zero exit fails the stage whatever it finalized as; the reason names both.</summary>
    private static string Finalized(StageContext context) => context.FinalStatus is { } status
        ? $"; it had finalized as {status.ToText()}{(context.FinalReason is { } reason ? $" ({reason})" : "")}"
        : "";

    /// <summary>A relative path (<c>scripts/x.sh</c>) runs in the stage folder, so it is looked up there.</summary>
    private static bool Installed(string program, string stageDir, string? path) =>
        program.Contains('/', StringComparison.Ordinal)
            ? File.Exists(Path.IsPathRooted(program) ? program : Path.Combine(stageDir, program))
            : ChildProcess.ResolveOnPath(program, path) is not null;

    /// <summary>
    /// The first word of a simple command, when it names a program (not a shell keyword, builtin, assignment or function
    /// definition).
    /// </summary>
    internal static string? FirstWord(string command)
    {
        var trimmed = command.TrimStart();
        var end = 0;
        while (end < trimmed.Length && !char.IsWhiteSpace(trimmed[end]) && trimmed[end] is not (';' or '|' or '&' or '<' or '>' or '(' or ')')) end++;
        var word = trimmed[..end];
        // "name() { ...; }" defines a shell function: nothing is run by that name.
        if (trimmed.AsSpan(end).TrimStart().StartsWith("(", StringComparison.Ordinal)) return null;
        if (word.Length == 0 || word.Contains('=', StringComparison.Ordinal) || word.Contains('$', StringComparison.Ordinal) || word.Contains('\'', StringComparison.Ordinal) || word.Contains('"', StringComparison.Ordinal) || word.Contains('`', StringComparison.Ordinal)) return null;
        return ShellWords.Contains(word) ? null : word;
    }

    private static readonly HashSet<string> ShellWords = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "function", "{", "}", "!", "[[",
        ".", ":", "[", "alias", "bg", "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export", "false", "fg",
        "getopts", "hash", "jobs", "kill", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times", "trap",
        "true", "type", "ulimit", "umask", "unalias", "unset", "wait", "local",
    };

    private static string Expand(StageContext context)
    {
        var definition = context.Definition;
        return Placeholders.Expand(definition.Command!, (scope, key) => scope switch
        {
            // An absent optional input is an empty argument: `[ -f {in.x} ]` is false, no stale file is named.
            "in" when key.EndsWith(".list", StringComparison.Ordinal) && IsGather(definition, key[..^5]) => context.GatherListPath(key[..^5]),
            "in" => context.AbsenceOf(key) is null ? context.InputPath(key) : "",
            "item" => definition.Item?.Field(key),
            "out" => context.OutputPath(key),
            "config" => Placeholders.ConfigText(Placeholders.Lookup(context.Config, key)),
            "stage" => key switch { "dir" => context.StageDir, "id" => definition.Id, "name" => definition.Name, "cache" => context.CacheDir, _ => null },
            "job" => key switch { "dir" => context.JobDir, "id" => context.Layout.JobId, _ => null },
            _ => null,
        }, (scope, key) => scope == "in" && IsGather(definition, key) ? context.GatheredPaths(key) : null);
    }

    private static bool IsGather(StageDefinition definition, string name) => definition.Inputs.Any(i => i.GatherName == name || (i.Gather && i.Name == name));

}
