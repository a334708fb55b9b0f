using System.Collections.Concurrent;
using System.Globalization;
using Waybill.Core.Processes;

namespace Waybill.Core.Execution;

/// <summary>
/// Runs each distinct version command once per run and keeps the first line it prints, secrets masked: a tool may
/// print a token from the environment, and the line is written to the manifest (masked the same way on every run,
/// so the comparison with the recorded version still holds). A command that has not finished within
/// <see cref="Timeout"/> (WAYBILL_TOOL_TIMEOUT seconds, default 10) is ended and its version recorded as unknown.
/// </summary>
public sealed class ToolVersions(Secrets.Redactor redactor)
{
    /// <summary>The engine environment variable that sets the timeout, in seconds.</summary>
    public const string TimeoutVariable = "WAYBILL_TOOL_TIMEOUT";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _versions = new(StringComparer.Ordinal);

    private static readonly (TimeSpan Value, string? Problem) Setting = ReadTimeout();

    /// <summary>How long a version command may run.</summary>
    public static TimeSpan Timeout => Setting.Value;

    /// <summary>What is wrong with WAYBILL_TOOL_TIMEOUT when it is set to something other than a number of seconds; else null.</summary>
    public static string? TimeoutProblem => Setting.Problem;

    private static (TimeSpan, string?) ReadTimeout()
    {
        var text = Environment.GetEnvironmentVariable(TimeoutVariable);
        if (string.IsNullOrEmpty(text)) return (DefaultTimeout, null);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && double.IsFinite(seconds))
            return (TimeSpan.FromSeconds(Math.Min(seconds, 86_400)), null);
        return (DefaultTimeout, string.Create(CultureInfo.InvariantCulture,
            $"{TimeoutVariable}='{Text.PrintableText.Of(text, 40)}' is not a number of seconds above 0, so version commands had the "
            + $"default {DefaultTimeout.TotalSeconds:0} s; set it to a number such as 30"));
    }

    /// <summary>The first line the command prints, or a text starting with <c>unknown (</c> that says why there is none.</summary>
    /// <remarks>One probe serves every stage that asks: it runs outside the flow of the stage that asked first.</remarks>
    public Task<string> GetAsync(string versionCommand, CancellationToken cancellationToken) =>
        _versions.GetOrAdd(versionCommand, command => new Lazy<Task<string>>(() =>
        {
            using (ExecutionContext.SuppressFlow())
                return Task.Run(async () => redactor.Redact(await ProbeAsync(command, cancellationToken)), CancellationToken.None);
        })).Value;

    /// <summary>True for a version <see cref="GetAsync"/> gave up on because the command ran past <see cref="Timeout"/>.</summary>
    public static bool TimedOut(string version) => version.StartsWith(TimedOutPrefix, StringComparison.Ordinal);

    private const string TimedOutPrefix = "unknown (timed out";

    private static async Task<string> ProbeAsync(string command, CancellationToken cancellationToken)
    {
        string? first = null;
        var gate = new Lock();
        void Take(string line)
        {
            lock (gate) if (first is null && !string.IsNullOrWhiteSpace(line)) first = line.Trim();
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            var spec = new ProcessSpec("/bin/sh", ["-c", command], Environment.CurrentDirectory, StageContext.CurrentEnvironment());
            var result = await ChildProcess.RunAsync(spec, Take, Take, deadline.Token, TimeSpan.FromSeconds(1));
            if (result.Cancelled && !cancellationToken.IsCancellationRequested)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"{TimedOutPrefix} after {Timeout.TotalSeconds:0.###} s: '{command}' did not finish; set {TimeoutVariable} to allow longer)");
            }
            return result.ExitCode == 0 && first is not null ? first : $"unknown ('{command}' exited with {result.ExitCode})";
        }
        catch (ProcessStartException e)
        {
            return $"unknown ({e.Message})";
        }
    }
}
