using System.CommandLine;
using System.Runtime.InteropServices;
using Waybill.Cli.Commands;
using Waybill.Cli.Output;

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
        root.Subcommands.Add(ReportCommand.Create(output, error));
        root.Subcommands.Add(ExecStageCommand.Create(output, error));
        root.Subcommands.Add(ResumeCommand.Create(output, error));
        root.Subcommands.Add(SubtitleCommand.Create(output, error));
        root.Subcommands.Add(InitCommand.Create(output, error));
        root.Subcommands.Add(SampleCommand.Create(output, error));
        root.Subcommands.Add(CacheCommand.Create(output, error));
        root.Subcommands.Add(ModelsCommand.Create(output, error));
        root.Subcommands.Add(JobsCommand.Create(output, error));
        root.Subcommands.Add(QueryCommand.Create(output, error));
        root.Subcommands.Add(CatalogCommand.Create(output, error));
        root.Subcommands.Add(Commands.StageVerbs.StageCommand.Create(error));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        // Every line printed goes through the secret masker, usage errors included: secrets named on the command line are
        // known from here on, the pipeline's own once a command has loaded it.
        ConsoleSecrets.LearnCommandLine(args);
        await using var maskedOutput = new MaskingWriter(output);
        await using var maskedError = new MaskingWriter(error);
        return await RunMaskedAsync(args, maskedOutput, maskedError);
    }

    private static async Task<int> RunMaskedAsync(string[] args, TextWriter output, TextWriter error)
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
        // First Ctrl-C or SIGTERM: cancel running stages (their process groups get SIGTERM, then SIGKILL after 3 s), write
        // the manifests, exit 130. Second: the same, but every child's process group gets SIGKILL at once (supervisors such
        // as GNU timeout send two in quick succession, so the second must not skip the records). Third: kill the children,
        // flush the logs and exit 130 at once; the job manifest may then still say running, which status and resume handle.
        using var cancel = new CancellationTokenSource();
        var signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            switch (Interlocked.Increment(ref signals))
            {
                case 1:
                    error.WriteLine("waybill: cancelling (press Ctrl-C again to stop the commands at once)");
                    cancel.Cancel();
                    break;
                case 2:
                    error.WriteLine("waybill: stopping the commands at once (SIGKILL), recording the run as cancelled "
                        + "(a third signal quits at once)");
                    Waybill.Core.Processes.ChildProcess.KillAllNow();
                    break;
                default:
                    Waybill.Core.Processes.ChildProcess.KillAllNow();
                    error.WriteLine("waybill: quitting at once; the job may be left marked running ('waybill resume' continues it)");
                    Waybill.Core.Logging.LogFlusher.FlushAll();
                    output.Flush(); // a partial line waiting in the masking writer
                    Environment.Exit(ExitCodes.Cancelled);
                    break;
            }
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await parsed.InvokeAsync(configuration, cancel.Token);
    }
}
