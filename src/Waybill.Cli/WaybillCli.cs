using System.CommandLine;
using System.Runtime.InteropServices;
using Waybill.Cli.Commands;

namespace Waybill.Cli;

/// <summary>The <c>waybill</c> command tree.</summary>
public static class WaybillCli
{
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Waybill: a pipeline engine whose runs explain themselves.");
        root.Subcommands.Add(RunCommand.Create(output, error));
        root.Subcommands.Add(ValidateCommand.Create(output, error));
        root.Subcommands.Add(StatusCommand.Create(output, error));
        root.Subcommands.Add(LogsCommand.Create(output, error));
        root.Subcommands.Add(ManifestCommand.Create(output, error));
        root.Subcommands.Add(VerifyCommand.Create(output, error));
        root.Subcommands.Add(CleanCommand.Create(output, error));
        root.Subcommands.Add(LineageCommand.Create(output, error));
        root.Subcommands.Add(ExecStageCommand.Create(output, error));
        root.Subcommands.Add(ResumeCommand.Create(output, error));
        root.Subcommands.Add(SubtitleCommand.Create(output, error));
        root.Subcommands.Add(InitCommand.Create(output, error));
        root.Subcommands.Add(SampleCommand.Create(output, error));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build(output, error);
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Signals are handled below, so the command finishes its bookkeeping before the process exits.
            ProcessTerminationTimeout = null,
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
        {
            // Usage errors are bad input: exit 2, not 1 (which means "a stage failed").
            foreach (var problem in parsed.Errors) await error.WriteLineAsync($"error: {problem.Message}");
            await error.WriteLineAsync("hint: see 'waybill --help' or 'waybill <command> --help'");
            return ExitCodes.InvalidInput;
        }
        // First Ctrl-C or SIGTERM: cancel running stages, end their processes, write the manifests, exit 130.
        // A second one ends the process at once.
        using var cancel = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            if (cancel.IsCancellationRequested) return;
            context.Cancel = true;
            error.WriteLine("waybill: cancelling (press Ctrl-C again to quit at once)");
            cancel.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await parsed.InvokeAsync(configuration, cancel.Token);
    }
}
