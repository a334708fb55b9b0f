using Waybill.Core.Execution;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;

namespace Waybill.Cli.Output;

/// <summary>
/// The secrets the console must not show, learned as soon as each is known: before anything is parsed, the environment's
/// secret variables and the values of <c>key=value</c> words whose key looks secret (<c>--set api_token=…</c>, or the same
/// word with <c>--set</c> forgotten); once a pipeline is loaded, every value its run masks. Everything the CLI prints goes
/// through <see cref="Redact"/> (<see cref="MaskingWriter"/>). One set per process: a process runs one command.
/// </summary>
internal static class ConsoleSecrets
{
    private static readonly Redactor Known = new();

    /// <summary>What can be known before the pipeline is loaded: the environment and the command line.</summary>
    public static void LearnCommandLine(IEnumerable<string> args)
    {
        var environment = Environment.GetEnvironmentVariables();
        foreach (var name in environment.Keys.OfType<string>())
            if (Redactor.IsSecretName(name)) Known.Add(environment[name] as string);
        foreach (var arg in args)
        {
            var item = arg.StartsWith("--set=", StringComparison.Ordinal) ? arg["--set=".Length..] : arg;
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && Redactor.IsSecretName(item[..eq].Trim())) Known.Add(item[(eq + 1)..]);
        }
    }

    /// <summary>Every value a run of <paramref name="pipeline"/> masks, <paramref name="extra"/> ones (given to a resume) included.</summary>
    public static void Learn(PipelineDefinition pipeline, IEnumerable<string>? extra = null) =>
        Known.AddAll(PipelineRunner.SecretsOf(pipeline, extra));

    public static string Redact(string text) => Known.Redact(text);
}
