using Microsoft.Extensions.Logging;
using Waybill.Cli.Output;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Cli.Commands;

/// <summary>How the CLI runs a pipeline: live progress on a terminal, plain lines when piped, a summary table at the end.</summary>
internal static class PipelineExecution
{
    public sealed record Settings(string? JobId, string OutputRoot, int MaxParallel, bool KeepGoing, bool LegacyStageLogs, bool Debug, IReadOnlyList<string> Overrides);

    public static async Task<(RunResult Result, int ExitCode)> RunAsync(PipelineDefinition definition, Settings settings, TextWriter output, CancellationToken cancellationToken)
    {
        if (settings.MaxParallel < 1) throw new CliException($"--jobs must be at least 1, not {settings.MaxParallel}");
        // On a terminal a live bar counts finished stages under the log lines; piped output stays plain.
        var live = Terminal.IsInteractive ? Terminal.Create(output) : null;
        var options = new RunOptions
        {
            JobId = settings.JobId,
            OutputRoot = settings.OutputRoot,
            MaxParallel = settings.MaxParallel,
            KeepGoing = settings.KeepGoing,
            LegacyStageLogs = settings.LegacyStageLogs,
            Console = new ConsoleLogSink(output, live),
            ConsoleLevel = settings.Debug ? LogLevel.Debug : LogLevel.Information,
            CommandLine = [.. Environment.GetCommandLineArgs().Skip(1)],
            Overrides = settings.Overrides,
        };
        var result = live is null
            ? await PipelineRunner.RunAsync(definition, options, cancellationToken)
            : await LiveProgress.RunAsync(live, definition, options, cancellationToken);
        Summary.Print(output, result.JobDir, result.Stages.Select(s => s.Manifest).ToList());
        await output.WriteLineAsync($"Job folder:   {Relative(result.JobDir)}");
        await output.WriteLineAsync($"Pipeline log: {Relative(result.PipelineLog)}");
        var code = result.Status switch
        {
            StageStatus.Success => ExitCodes.Success,
            StageStatus.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.StageFailed,
        };
        return (result, code);
    }

    public static string Relative(string path) => Path.GetRelativePath(Environment.CurrentDirectory, path);
}
